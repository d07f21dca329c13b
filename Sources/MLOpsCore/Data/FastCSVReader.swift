import Dispatch
import Foundation

/// The fast path of ``ColumnarCSV``: a CSV body without any quote, parsed in place on all
/// cores. It returns nil at the first thing it does not expect (a row with another number
/// of fields, an empty line, a carriage return without a line feed, invalid UTF-8 in a text
/// value); the caller then reads the file strictly, which names the problem exactly as
/// ``CSVTable`` does.
///
/// 1. The body is cut into chunks that end at line feeds; each chunk's lines are counted
///    (in parallel), which gives every chunk its first row.
/// 2. Each chunk parses its rows straight into preallocated columns (in parallel): a
///    number with ``DecimalParser`` (fast path, else `strtod`), a text cell as a byte range.
///    A cell that is not a number marks its column.
/// 3. Columns that turned out to be text get their byte ranges from the row starts, then
///    every text column is counted (in parallel over columns) with a hash table over the
///    bytes: one `String` per distinct value.
struct FastCSVReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    let bodyStart: Int
    let header: [String]
    let categorical: Set<String>

    private typealias Byte = ColumnarCSV.Byte

    /// Everything the parallel phases share, as ``ParallelBuffer``s. Within one
    /// `concurrentPerform` call: the bytes, the column flags, the chunk bounds and the
    /// per-column pointers are only read; chunk `k` writes only its own rows (their
    /// `rowStarts` and cells), `ok[k]` and its own row of `failures` (counting: only
    /// `firstRows[k + 1]`); a column's pass writes only that column. The memory is allocated
    /// before and freed after the calls.
    private struct Shared: Sendable {
        /// The file's bytes (only read).
        let bytes: ParallelBuffer<UInt8>
        let count: Int
        let columnCount: Int
        /// Per column: true when it is read as text.
        let isText: ParallelBuffer<Bool>
        /// Per column: its numbers (nil for text columns).
        let numbers: ParallelBuffer<UnsafeMutablePointer<Double>?>
        /// Per column: start and end offsets of each row's cell (nil for numerical columns).
        let starts: ParallelBuffer<UnsafeMutablePointer<Int>?>
        let ends: ParallelBuffer<UnsafeMutablePointer<Int>?>
        /// Per row: the offset where it starts.
        let rowStarts: ParallelBuffer<Int>
        /// Chunk boundaries (chunkCount + 1) and each chunk's first row (chunkCount + 1).
        let bounds: ParallelBuffer<Int>
        let firstRows: ParallelBuffer<Int>
        /// Per chunk: false when it met something unexpected.
        let ok: ParallelBuffer<Bool>
        /// Per chunk and column: the first row whose cell is not a number (Int.max: none).
        let failures: ParallelBuffer<Int>

        /// The first byte of the file.
        var base: UnsafePointer<UInt8> { UnsafePointer(bytes.baseAddress.unsafelyUnwrapped) }
    }

    /// The columns, or nil when the strict reader must take over.
    func read() -> ColumnarCSV? {
        let columnCount = header.count
        let bodyLength = count - bodyStart
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunkCount = bodyLength < 1 << 16 ? 1 : min(256, max(4 * cores, bodyLength >> 20))

        let bounds = UnsafeMutablePointer<Int>.allocate(capacity: chunkCount + 1)
        let firstRows = UnsafeMutablePointer<Int>.allocate(capacity: chunkCount + 1)
        let ok = UnsafeMutablePointer<Bool>.allocate(capacity: chunkCount)
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: chunkCount * max(columnCount, 1))
        let isText = UnsafeMutablePointer<Bool>.allocate(capacity: max(columnCount, 1))
        let numbers = UnsafeMutablePointer<UnsafeMutablePointer<Double>?>.allocate(capacity: max(columnCount, 1))
        let starts = UnsafeMutablePointer<UnsafeMutablePointer<Int>?>.allocate(capacity: max(columnCount, 1))
        let ends = UnsafeMutablePointer<UnsafeMutablePointer<Int>?>.allocate(capacity: max(columnCount, 1))
        var rowStarts = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        defer {
            for c in 0..<columnCount {
                numbers[c]?.deallocate()
                starts[c]?.deallocate()
                ends[c]?.deallocate()
            }
            bounds.deallocate()
            firstRows.deallocate()
            ok.deallocate()
            failures.deallocate()
            isText.deallocate()
            numbers.deallocate()
            starts.deallocate()
            ends.deallocate()
            rowStarts.deallocate()
        }
        ok.initialize(repeating: true, count: chunkCount)
        failures.initialize(repeating: Int.max, count: chunkCount * max(columnCount, 1))
        numbers.initialize(repeating: nil, count: max(columnCount, 1))
        starts.initialize(repeating: nil, count: max(columnCount, 1))
        ends.initialize(repeating: nil, count: max(columnCount, 1))
        for c in 0..<columnCount { isText[c] = categorical.contains(header[c]) }

        // Chunk boundaries: just after a line feed (or the end).
        bounds[0] = bodyStart
        for k in 1..<chunkCount {
            let nominal = max(bounds[k - 1], bodyStart + bodyLength / chunkCount * k)
            if nominal >= count {
                bounds[k] = count
            } else if let lf = memchr(base + nominal, Int32(Byte.lf), count - nominal) {
                bounds[k] = UnsafePointer(lf.assumingMemoryBound(to: UInt8.self)) - base + 1
            } else {
                bounds[k] = count
            }
        }
        bounds[chunkCount] = count

        // 1. Lines per chunk.
        let perColumn = max(columnCount, 1)
        func share(rows: Int) -> Shared {
            Shared(
                bytes: ParallelBuffer(start: UnsafeMutablePointer(mutating: base), count: count),
                count: count,
                columnCount: columnCount,
                isText: ParallelBuffer(start: isText, count: perColumn),
                numbers: ParallelBuffer(start: numbers, count: perColumn),
                starts: ParallelBuffer(start: starts, count: perColumn),
                ends: ParallelBuffer(start: ends, count: perColumn),
                rowStarts: ParallelBuffer(start: rowStarts, count: rows),
                bounds: ParallelBuffer(start: bounds, count: chunkCount + 1),
                firstRows: ParallelBuffer(start: firstRows, count: chunkCount + 1),
                ok: ParallelBuffer(start: ok, count: chunkCount),
                failures: ParallelBuffer(start: failures, count: chunkCount * perColumn)
            )
        }
        var shared = share(rows: 1)
        let counting = shared
        DispatchQueue.concurrentPerform(iterations: chunkCount) { k in
            let from = counting.bounds[k]
            let to = counting.bounds[k + 1]
            var lines = 0
            for i in from..<to where counting.base[i] == Byte.lf { lines &+= 1 }
            if k == chunkCount - 1 && to > from && counting.base[to - 1] != Byte.lf { lines &+= 1 }
            counting.firstRows[k + 1] = lines
        }
        firstRows[0] = 0
        for k in 0..<chunkCount { firstRows[k + 1] += firstRows[k] }
        let rowCount = firstRows[chunkCount]

        rowStarts.deallocate()
        rowStarts = UnsafeMutablePointer<Int>.allocate(capacity: max(rowCount, 1))
        for c in 0..<columnCount {
            if isText[c] {
                starts[c] = UnsafeMutablePointer<Int>.allocate(capacity: max(rowCount, 1))
                ends[c] = UnsafeMutablePointer<Int>.allocate(capacity: max(rowCount, 1))
            } else {
                numbers[c] = UnsafeMutablePointer<Double>.allocate(capacity: max(rowCount, 1))
            }
        }
        shared = share(rows: max(rowCount, 1))

        // 2. Rows into columns.
        let parsing = shared
        if columnCount > 0 {
            DispatchQueue.concurrentPerform(iterations: chunkCount) { k in
                FastCSVReader.parseChunk(parsing, k)
            }
        }
        for k in 0..<chunkCount where !ok[k] { return nil }

        // Columns with a cell that is not a number become text. Their first such cells are
        // found row by row, each row walked once for all the columns that failed on it.
        var notNumbers: [String: ColumnarCSV.NotANumber] = [:]
        var turned: [Int] = []
        var failedOn: [Int: [Int]] = [:]
        for c in 0..<columnCount where !isText[c] {
            var first = Int.max
            for k in 0..<chunkCount { first = min(first, failures[k * columnCount + c]) }
            guard first != Int.max else { continue }
            failedOn[first, default: []].append(c)
            turned.append(c)
        }
        for (row, columns) in failedOn {
            FastCSVReader.cells(shared, row: row, columns: columns) { c, from, to in
                notNumbers[header[c]] = ColumnarCSV.NotANumber(
                    line: row + 2,
                    text: String(decoding: UnsafeBufferPointer(start: base + from, count: to - from), as: UTF8.self)
                )
            }
        }
        for c in turned {
            numbers[c]?.deallocate()
            numbers[c] = nil
            isText[c] = true
            starts[c] = UnsafeMutablePointer<Int>.allocate(capacity: max(rowCount, 1))
            ends[c] = UnsafeMutablePointer<Int>.allocate(capacity: max(rowCount, 1))
        }
        if !turned.isEmpty {
            let rescanning = shared
            let turnedColumns = turned
            DispatchQueue.concurrentPerform(iterations: chunkCount) { k in
                for r in rescanning.firstRows[k]..<rescanning.firstRows[k + 1] {
                    FastCSVReader.cells(rescanning, row: r, columns: turnedColumns) { c, from, to in
                        rescanning.starts[c]?[r] = from
                        rescanning.ends[c]?[r] = to
                    }
                }
            }
        }

        // 3. Text columns counted; numerical columns copied out.
        var built = [ColumnarCSV.Column?](repeating: nil, count: columnCount)
        let textColumns = (0..<columnCount).filter { isText[$0] }
        var categories = [ColumnarCSV.Categories?](repeating: nil, count: textColumns.count)
        let textShared = shared
        categories.withParallelBuffer { target in
            // Iteration t writes only element t.
            DispatchQueue.concurrentPerform(iterations: textColumns.count) { t in
                let c = textColumns[t]
                guard let from = textShared.starts[c], let to = textShared.ends[c] else { return }
                target[t] = FastCSVReader.categories(textShared.base, starts: from, ends: to, rows: rowCount)
            }
        }
        for (t, c) in textColumns.enumerated() {
            // nil: a value that is not UTF-8.
            guard let column = categories[t] else { return nil }
            built[c] = .categorical(column)
        }
        for c in 0..<columnCount where !isText[c] {
            guard let values = numbers[c] else { return nil }
            built[c] = .numerical(Array(UnsafeBufferPointer(start: values, count: rowCount)))
            values.deallocate()
            numbers[c] = nil
        }
        return ColumnarCSV(
            header: header,
            rowCount: rowCount,
            columns: built.map { $0 ?? .numerical([]) },
            firstNonNumber: notNumbers,
            readStrictly: false
        )
    }

    /// Parses the rows of chunk `k`.
    private static func parseChunk(_ s: Shared, _ k: Int) {
        let base = s.base
        let count = s.count
        let columnCount = s.columnCount
        let last = columnCount - 1
        var p = s.bounds[k]
        let end = s.bounds[k + 1]
        var row = s.firstRows[k]
        let rowLimit = s.firstRows[k + 1]
        let failures = s.failures.dropFirst(k * columnCount)
        while p < end {
            guard row < rowLimit else {
                s.ok[k] = false
                return
            }
            s.rowStarts[row] = p
            // An empty line is refused (the strict reader says where).
            if base[p] == Byte.lf || base[p] == Byte.cr {
                s.ok[k] = false
                return
            }
            for c in 0..<columnCount {
                if s.isText[c] {
                    var q = p
                    while q < count {
                        let b = base[q]
                        if b == Byte.comma || b == Byte.lf || b == Byte.cr { break }
                        q &+= 1
                    }
                    s.starts[c]?[row] = p
                    s.ends[c]?[row] = q
                    p = q
                } else {
                    var value = Double.nan
                    if let (v, e) = DecimalParser.fastPrefix(base, p, count),
                        e == count || base[e] == Byte.comma || base[e] == Byte.lf || base[e] == Byte.cr
                    {
                        value = v
                        p = e
                    } else {
                        var q = p
                        while q < count {
                            let b = base[q]
                            if b == Byte.comma || b == Byte.lf || b == Byte.cr { break }
                            q &+= 1
                        }
                        if q > p {
                            if let v = DecimalParser.slow(base + p, q - p) {
                                value = v
                            } else if failures[c] == Int.max {
                                failures[c] = row
                            }
                        }
                        p = q
                    }
                    s.numbers[c]?[row] = value
                }
                if c < last {
                    guard p < count, base[p] == Byte.comma else {
                        s.ok[k] = false
                        return
                    }
                    p &+= 1
                } else if p < count {
                    if base[p] == Byte.lf {
                        p &+= 1
                    } else if base[p] == Byte.cr && p + 1 < count && base[p + 1] == Byte.lf {
                        p &+= 2
                    } else {
                        s.ok[k] = false
                        return
                    }
                }
            }
            row &+= 1
        }
        if row != rowLimit { s.ok[k] = false }
    }

    /// The byte ranges of a row's cells in `columns` (ascending; the row is known to be
    /// well formed), found in one walk along the row: `body(column, from, to)` for each.
    private static func cells(_ s: Shared, row: Int, columns: [Int], _ body: (Int, Int, Int) -> Void) {
        var p = s.rowStarts[row]
        var field = 0
        for column in columns {
            while field < column && p < s.count {
                if s.base[p] == Byte.comma { field &+= 1 }
                p &+= 1
            }
            var q = p
            while q < s.count {
                let b = s.base[q]
                if b == Byte.comma || b == Byte.lf || b == Byte.cr { break }
                q &+= 1
            }
            body(column, p, q)
        }
    }

    /// Counts one text column from its cells' byte ranges: a hash table (FNV-1a, open
    /// addressing) over the bytes, so a `String` is made only per distinct value. Nil when a
    /// value is not valid UTF-8.
    private static func categories(
        _ base: UnsafePointer<UInt8>,
        starts: UnsafeMutablePointer<Int>,
        ends: UnsafeMutablePointer<Int>,
        rows: Int
    ) -> ColumnarCSV.Categories? {
        var tableSize = 64
        var table = [Int32](repeating: -1, count: tableSize)
        var firstRow: [Int] = []
        var hashes: [UInt64] = []
        var counts: [Int] = []
        var missing = 0
        var codes = [Int32](repeating: -1, count: rows)
        for r in 0..<rows {
            let from = starts[r]
            let length = ends[r] - from
            if length == 0 {
                missing += 1
                continue
            }
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for i in from..<(from + length) { hash = (hash ^ UInt64(base[i])) &* 0x100_0000_01b3 }
            var slot = Int(truncatingIfNeeded: hash) & (tableSize - 1)
            var code: Int32 = -1
            while table[slot] >= 0 {
                let candidate = Int(table[slot])
                let other = firstRow[candidate]
                if hashes[candidate] == hash && ends[other] - starts[other] == length
                    && memcmp(base + starts[other], base + from, length) == 0
                {
                    code = Int32(candidate)
                    break
                }
                slot = (slot + 1) & (tableSize - 1)
            }
            if code < 0 {
                code = Int32(firstRow.count)
                firstRow.append(r)
                hashes.append(hash)
                counts.append(0)
                table[slot] = code
                if firstRow.count * 2 > tableSize {
                    tableSize *= 2
                    table = [Int32](repeating: -1, count: tableSize)
                    for (index, h) in hashes.enumerated() {
                        var s = Int(truncatingIfNeeded: h) & (tableSize - 1)
                        while table[s] >= 0 { s = (s + 1) & (tableSize - 1) }
                        table[s] = Int32(index)
                    }
                }
            }
            codes[r] = code
            counts[Int(code)] += 1
        }
        var values: [String] = []
        values.reserveCapacity(firstRow.count)
        for r in firstRow {
            guard
                let value = String(
                    validating: UnsafeBufferPointer(start: base + starts[r], count: ends[r] - starts[r]),
                    as: UTF8.self
                )
            else { return nil }
            values.append(value)
        }
        return ColumnarCSV.Categories(values: values, codes: codes, counts: counts, missing: missing)
    }
}
