import Dispatch
import Glibc

/// Watches one directory with inotify and reports file names that may be ready.
///
/// Events are hints, never the source of truth: the owner rescans the directory at start,
/// on `IN_Q_OVERFLOW` and periodically. The inotify fd is read through a Dispatch read
/// source (Linux has no file-system-object source), so nothing polls.
public final class DirectoryWatcher: @unchecked Sendable {
    // @unchecked Sendable: both stored properties are immutable; `fd` is an Int32 and
    // Dispatch sources are documented thread-safe (cancel may be called from any thread).
    // The compiler cannot check it only because swift-corelibs-libdispatch does not mark
    // `DispatchSourceRead` Sendable on Linux.
    /// What the watcher saw.
    public enum Event: Sendable, Equatable {
        /// A file was renamed into the directory or closed after writing: it is complete.
        case file(String)
        /// A name was created (a file being written in place, a link, a FIFO...): worth a
        /// look, but a regular file may still be half-written.
        case created(String)
        /// The kernel queue overflowed: some events were lost; rescan.
        case overflow
    }

    private let fd: Int32
    private let source: DispatchSourceRead

    /// Starts watching `path` for IN_MOVED_TO and IN_CLOSE_WRITE (and IN_CREATE when
    /// `creations` is set); `handler` runs on `queue` with the events of one read, in order.
    public init(
        path: String,
        queue: DispatchQueue,
        creations: Bool = false,
        handler: @escaping @Sendable ([Event]) -> Void
    ) throws(SystemError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SystemError("inotify_init1") }
        let mask = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR) | (creations ? UInt32(IN_CREATE) : 0)
        guard inotify_add_watch(fd, path, mask) >= 0 else {
            let error = SystemError("inotify_add_watch \(path)")
            close(fd)
            throw error
        }
        self.fd = fd
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { @Sendable in
            let events = DirectoryWatcher.drain(fd: fd)
            if !events.isEmpty { handler(events) }
        }
        source.setCancelHandler { @Sendable in close(fd) }
        self.source = source
        source.resume()
    }

    /// Stops watching and closes the inotify fd.
    public func cancel() {
        source.cancel()
    }

    deinit { source.cancel() }

    /// Reads every pending event from the (non-blocking) inotify fd.
    static func drain(fd: Int32) -> [Event] {
        var events: [Event] = []
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n <= 0 { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameLength = Int(event.len)
                if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    events.append(.overflow)
                } else if nameLength > 0 {
                    let namePointer = (buffer + offset + header).assumingMemoryBound(to: CChar.self)
                    let name = String(cString: namePointer)
                    if !name.isEmpty {
                        events.append(event.mask & UInt32(IN_CREATE) != 0 ? .created(name) : .file(name))
                    }
                }
                offset += header + nameLength
            }
        }
        return events
    }
}
