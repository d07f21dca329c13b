/// The names of the temp files `DirectoryHandle.writeAtomically` writes before its rename:
/// `.<name>.<pid>.tmp`, `<name>` the file being replaced and `<pid>` the writer's process id.
///
/// A write cut by `kill -9` leaves such a file behind; the daemon removes those of dead
/// processes at start-up (docs/spool.md (Start-up cleanup)), and must recognise exactly this
/// pattern to never touch anything else.
public enum TempFileName {
    /// The file a temp name stands for and the process that wrote it, or nil when `name`
    /// is not `.<name>.<pid>.tmp` with a non-empty name and a decimal pid.
    public static func parse(_ name: String) -> (target: String, pid: Int32)? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let middle = name.dropFirst().dropLast(4)
        guard let dot = middle.lastIndex(of: ".") else { return nil }
        let target = middle[..<dot]
        let digits = middle[middle.index(after: dot)...]
        guard !target.isEmpty, !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let pid = Int32(digits), pid > 0
        else { return nil }
        return (String(target), pid)
    }

    /// The temp name a process `pid` uses while it replaces `target`.
    public static func of(_ target: String, pid: Int32) -> String { ".\(target).\(pid).tmp" }
}
