import Foundation
import Testing

@testable import MLOpsCore

@Suite struct SHA256Tests {
    @Test func knownVectorsFromFIPS180() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        #expect(
            SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
    }

    @Test func streamingInPiecesEqualsOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        var h = SHA256()
        var i = 0
        for size in [1, 63, 64, 65, 127, 1000, 3] where i < data.count {
            h.update(data[i..<min(i + size, data.count)])
            i += size
        }
        h.update(data[min(i, data.count)...])
        #expect(h.hexDigest() == SHA256.hex(data))
    }

    @Test func rawBufferPiecesEqualByteByByteHashing() {
        let data = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
        // The byte-by-byte reference: a lazy sequence has no contiguous storage.
        var reference = SHA256()
        reference.update(data.lazy.map { $0 })
        let expected = reference.hexDigest()
        for sizes in [[1], [63], [64], [65], [7, 121, 64, 1000], [4_999], [5_000]] {
            var h = SHA256()
            var i = 0
            var turn = 0
            data.withUnsafeBytes { raw in
                while i < data.count {
                    let n = min(sizes[turn % sizes.count], data.count - i)
                    h.update(UnsafeRawBufferPointer(rebasing: raw[i..<(i + n)]))
                    i += n
                    turn += 1
                }
            }
            #expect(h.hexDigest() == expected, "pieces \(sizes)")
        }
    }

    @Test func mixingSequenceAndRawBufferUpdatesKeepsTheStream() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        var h = SHA256()
        h.update(data[0..<10].lazy.map { $0 })
        data.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[10..<200])) }
        h.update(data[200...])
        #expect(h.hexDigest() == SHA256.hex(data.lazy.map { $0 }))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func matchesPythonHashlibOnEveryLengthAroundTheBlockSize() throws {
        // Lengths 0…130 cover every padding case (55/56/63/64/119/120 bytes…).
        let script =
            "import hashlib\nfor n in range(131):\n    print(hashlib.sha256(bytes((i * 31 + 7) % 256 for i in range(n))).hexdigest())\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let expected = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(expected.count == 131)
        for (n, hex) in expected.enumerated() {
            #expect(SHA256.hex((0..<n).map { UInt8(($0 * 31 + 7) % 256) }) == hex, "length \(n)")
        }
    }
}
