import Foundation
import Glibc

@testable import MLOpsDaemon

/// Checks a self-contained HTML file the way a reader's browser would see it: Debian's
/// headless Chromium loads it, and the harness reports what went wrong (console errors,
/// uncaught exceptions, any request that leaves the file), a PNG screenshot and a PDF print;
/// `xmllint` checks the markup is polyglot (well-formed XML) HTML5; poppler checks the PDF.
///
/// How the browser is watched, and why this way: Chromium is driven over the DevTools
/// protocol on `--remote-debugging-pipe` (NUL-terminated JSON on its descriptors 3 and 4;
/// here one socketpair, so a write to a browser that died fails with EPIPE instead of
/// raising SIGPIPE in the test process). No extra package is needed and nothing is scraped
/// from log text whose format changes between releases. The protocol reports, per page:
/// - `Runtime.consoleAPICalled` (console.error/assert, and the other levels),
///   `Runtime.exceptionThrown` (uncaught errors and unhandled rejections), `Log.entryAdded`
///   (the browser's own errors: failed loads, CSP, deprecations);
/// - `Network.requestWillBeSent` and `Network.webSocketCreated`: every request the page
///   attempted, with its URL, before anything is sent.
///
/// Nothing the page asks for leaves the machine, in three layers: `Fetch` pauses every
/// request and the harness lets only the page's own file through (the others fail with
/// `BlockedByClient`); what `Fetch` cannot pause (WebSockets, out-of-process frames, the
/// browser's own traffic) goes to `--proxy-server`, a listener of the harness on
/// 127.0.0.1 that records the request line and hangs up (`<-loopback>` sends loopback
/// through it too); and `--host-resolver-rules` makes every host name but 127.0.0.1
/// unresolvable. Anything the proxy saw is reported as a request as well, except what
/// Chromium sends on its own whatever the flags (``browserServiceHosts``), which is kept
/// in `browserTraffic`: without the proxy those attempts would only fail at DNS.
///
/// The page counts as loaded at the protocol's `networkIdle` lifecycle event of its own
/// navigation (load fired, then 500 ms without requests), so errors from `onload` and
/// short timers are seen; an error raised later than that is not. Every step runs against
/// one deadline; past it the browser's whole process group is killed.
///
/// Chromium is started as `/usr/lib/chromium/chromium`, not the `/usr/bin/chromium`
/// wrapper, which would add `/etc/chromium.d`'s flags (remote extensions, extension
/// loading) and miscompares /dev/shm's size in some containers.
enum HeadlessBrowser {
    /// What rendering one HTML file showed.
    struct Rendering: Sendable {
        /// The rendered file.
        var file: String
        /// The PNG screenshot of the viewport (`width` × `height` CSS pixels, scale 1).
        var screenshot: String
        /// The PDF print (A4 unless the page's CSS `@page` says otherwise, backgrounds on).
        var pdf: String
        /// `document.documentElement.outerHTML` after load (what `--dump-dom` prints).
        var dom: String
        /// Every console message, exception and browser log entry, in order.
        var console: [ConsoleMessage]
        /// Every request the page attempted to something other than its own file.
        var requests: [NetworkRequest]
        /// What Chromium itself sent to the proxy (component updater, account checks: see
        /// ``browserServiceHosts``); kept apart from `requests`, never left the machine.
        var browserTraffic: [NetworkRequest]
        /// How long the render took, browser start to exit.
        var seconds: Double
        /// Chromium's own standard error (for diagnosing a failure).
        var browserLog: String

        /// The messages at level error: console.error/assert, uncaught exceptions,
        /// failed loads.
        var consoleErrors: [ConsoleMessage] { console.filter { $0.level == .error } }
    }

    /// One console message, exception or browser log entry.
    struct ConsoleMessage: Sendable, Equatable, CustomStringConvertible {
        /// How severe it is.
        enum Level: String, Sendable {
            case error
            case warning
            case info
        }

        /// Where it came from.
        enum Source: Sendable, Equatable {
            /// A `console.*` call of the page.
            case console
            /// An uncaught exception or unhandled promise rejection.
            case exception
            /// The browser itself (`Log.entryAdded`: its source, e.g. "network", "security").
            case browser(String)
        }

        var level: Level
        var source: Source
        /// The message (for an exception, e.g. "ReferenceError: f is not defined").
        var text: String
        /// The script or resource it points at, when known.
        var url: String?
        /// Its 1-based line, when known.
        var line: Int?

        var description: String {
            "\(level.rawValue) [\(source)] \(text)" + (url.map { " (\($0)\(line.map { ":\($0)" } ?? ""))" } ?? "")
        }
    }

    /// One request the page attempted.
    struct NetworkRequest: Sendable, Equatable, CustomStringConvertible {
        /// Who saw it.
        enum Witness: String, Sendable {
            /// The DevTools protocol, before it was sent (then blocked).
            case devtools
            /// The harness's proxy: it got as far as a connection.
            case proxy
        }

        /// The URL (for the proxy, the request target: a URL, or host:port for CONNECT).
        var url: String
        /// What kind of resource (DevTools' resource type: Image, Stylesheet, Fetch,
        /// WebSocket, ...; for the proxy, the request line's method).
        var kind: String
        var seenBy: Witness

        var description: String { "\(kind) \(url) (\(seenBy.rawValue))" }
    }

    /// A reason the markup is not strict polyglot HTML5.
    struct MarkupProblem: Sendable, Equatable, CustomStringConvertible {
        /// The 1-based line, when known.
        var line: Int?
        var message: String

        var description: String { (line.map { "line \($0): " } ?? "") + message }
    }

    /// What poppler says about a PDF.
    struct PDFSummary: Sendable {
        /// `pdfinfo`'s page count.
        var pages: Int
        /// Page 1 rasterised by `pdftoppm -png -r 50`.
        var firstPagePNG: String
        /// That PNG's size in pixels.
        var firstPageSize: (width: Int, height: Int)
        /// How many distinct colours page 1 has at 50 dpi (counted up to 1,000): 1 is a
        /// blank page.
        var firstPageColours: Int
    }

    /// A PNG file's header facts.
    struct PNGInfo: Sendable, Equatable {
        var width: Int
        var height: Int
        var bytes: Int
    }

    /// Why a check could not be done.
    enum Failure: Error, CustomStringConvertible {
        /// A tool is not installed.
        case missingTool(String)
        /// Tools are not installed but `MLOPSD_REQUIRE_BROWSER=1` says the checks must run.
        case requiredButMissing([String])
        /// Chromium could not be started.
        case cannotStart(String)
        /// A step did not finish before the deadline (the browser was killed).
        case timedOut(step: String, seconds: Double, browserLog: String)
        /// The browser closed its end of the protocol before the render was done.
        case browserExited(step: String, browserLog: String)
        /// The browser answered a command with an error.
        case protocolError(method: String, message: String)
        /// A tool's output is not what it should be.
        case badOutput(String)

        var description: String {
            switch self {
            case .missingTool(let tool): "\(tool) is not installed (scripts/install-deps.sh installs it)"
            case .requiredButMissing(let tools):
                "MLOPSD_REQUIRE_BROWSER=1 but \(tools.joined(separator: ", ")) not installed (scripts/install-deps.sh test installs them)"
            case .cannotStart(let reason): "cannot start chromium: \(reason)"
            case .timedOut(let step, let seconds, let log):
                "chromium did not finish \(step) within \(seconds) s (killed); its log:\n\(log.suffix(3000))"
            case .browserExited(let step, let log): "chromium exited during \(step); its log:\n\(log.suffix(3000))"
            case .protocolError(let method, let message): "DevTools \(method) failed: \(message)"
            case .badOutput(let what): what
            }
        }
    }

    /// The Chromium binary: the real one behind Debian's wrapper, or the wrapper itself.
    static var executable: String? {
        ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].first { access($0, X_OK) == 0 }
    }

    /// Whether the tests must fail, not skip, without a browser (`MLOPSD_REQUIRE_BROWSER=1`,
    /// set by `.ci/run`, which installs it).
    static var required: Bool { ProcessInfo.processInfo.environment["MLOPSD_REQUIRE_BROWSER"] == "1" }

    /// Whether Chromium, poppler (`pdfinfo`, `pdftoppm`) and `xmllint` are all installed.
    /// When not: prints why the caller skips and returns false, or throws when
    /// ``required``.
    static func available() throws -> Bool {
        var missing: [String] = []
        if executable == nil { missing.append("chromium") }
        for tool in ["/usr/bin/pdfinfo", "/usr/bin/pdftoppm", "/usr/bin/xmllint"] where access(tool, X_OK) != 0 {
            missing.append(tool)
        }
        if missing.isEmpty { return true }
        if required {
            throw Failure.requiredButMissing(missing)
        }
        print(
            "SKIPPED: \(missing.joined(separator: ", ")) not installed (apt-get install chromium poppler-utils libxml2-utils); the headless-browser checks did not run"
        )
        return false
    }

    // MARK: - Rendering

    /// Loads `file` in headless Chromium and returns what it showed; the screenshot
    /// (`<directory>/<name>.png`), the PDF (`<name>.pdf`) and Chromium's log
    /// (`<name>.chromium.log`) are written into `directory`. The browser gets `timeout`
    /// seconds for everything, start to exit; past that it is killed and this throws.
    static func render(
        _ file: String,
        into directory: String,
        width: Int = 1400,
        height: Int = 2000,
        timeout: Double = 60
    ) throws -> Rendering {
        guard let executable else { throw Failure.missingTool("chromium") }
        let started = Date()
        let deadline = started.addingTimeInterval(timeout)
        let absolute = URL(fileURLWithPath: file).standardizedFileURL
        let pageURL = absolute.absoluteString
        let name = absolute.deletingPathExtension().lastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let profile = directory + "/\(name).profile-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let logPath = directory + "/\(name).chromium.log"

        let proxy = try ProxyRecorder()
        defer { proxy.close() }
        let browser = try Browser(
            executable: executable,
            arguments: flags(profile: profile, proxyPort: proxy.port, width: width, height: height),
            environment: [
                "HOME": profile, "XDG_CONFIG_HOME": profile + "/config", "XDG_CACHE_HOME": profile + "/cache",
                "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
            ],
            logPath: logPath
        )
        defer { browser.stop(deadline: deadline) }
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        let connection = DevTools(
            descriptor: browser.descriptor,
            proxy: proxy,
            deadline: deadline,
            timeout: timeout,
            log: log
        )
        let watcher = PageWatcher(pageURL: pageURL)
        connection.onEvent = { watcher.handle($0, connection) }

        _ = try connection.call("Browser.getVersion", step: "starting")
        let target = try connection.call("Target.createTarget", ["url": "about:blank"], step: "opening a tab")
        guard let targetID = target["targetId"] as? String else { throw Failure.badOutput("no targetId: \(target)") }
        let attached = try connection.call(
            "Target.attachToTarget",
            ["targetId": targetID, "flatten": true],
            step: "attaching to the tab"
        )
        guard let session = attached["sessionId"] as? String else { throw Failure.badOutput("no sessionId") }
        for method in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"] {
            _ = try connection.call(method, session: session, step: "enabling the page's domains")
        }
        _ = try connection.call("Fetch.enable", ["patterns": [["urlPattern": "*"]]], session: session, step: "Fetch")
        _ = try connection.call("Page.setLifecycleEventsEnabled", ["enabled": true], session: session, step: "setup")
        _ = try connection.call(
            "Emulation.setDeviceMetricsOverride",
            ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false],
            session: session,
            step: "setting the viewport"
        )
        let navigation = try connection.call("Page.navigate", ["url": pageURL], session: session, step: "navigating")
        if let error = navigation["errorText"] as? String {
            throw Failure.badOutput("cannot load \(pageURL): \(error)")
        }
        guard let loader = navigation["loaderId"] as? String else { throw Failure.badOutput("no loaderId") }
        try connection.waitFor("the page to load and its network to go idle") {
            watcher.idleLoaders.contains(loader)
        }

        let screenshot = directory + "/\(name).png"
        let shot = try connection.call(
            "Page.captureScreenshot",
            ["format": "png"],
            session: session,
            step: "taking the screenshot"
        )
        try writeBase64(shot["data"], to: screenshot)
        let pdf = directory + "/\(name).pdf"
        let printed = try connection.call(
            "Page.printToPDF",
            [
                "printBackground": true, "preferCSSPageSize": true, "paperWidth": 8.27, "paperHeight": 11.69,
            ],
            session: session,
            step: "printing to PDF"
        )
        try writeBase64(printed["data"], to: pdf)
        let evaluated = try connection.call(
            "Runtime.evaluate",
            ["expression": "document.documentElement.outerHTML", "returnByValue": true],
            session: session,
            step: "reading the DOM"
        )
        let dom = ((evaluated["result"] as? [String: Any])?["value"] as? String) ?? ""
        connection.send("Browser.close")
        browser.stop(deadline: deadline)

        let proxied = proxy.requestLines.map { line in
            let parts = line.split(separator: " ")
            return NetworkRequest(
                url: parts.count > 1 ? String(parts[1]) : line,
                kind: parts.first.map(String.init) ?? "?",
                seenBy: .proxy
            )
        }
        let ownTraffic = proxied.filter { isBrowserService($0.url) }
        return Rendering(
            file: file,
            screenshot: screenshot,
            pdf: pdf,
            dom: dom,
            console: watcher.console,
            requests: watcher.requests + proxied.filter { !isBrowserService($0.url) },
            browserTraffic: ownTraffic,
            seconds: Date().timeIntervalSince(started),
            browserLog: log()
        )
    }

    /// The hosts Chromium 156 contacts on its own, even with every `--disable-…` flag
    /// below: the component updater fetches the "Optimization Guide On Device Models
    /// Manifest" on demand (update.googleapis.com, then its CDN *.gvt1.com), and the
    /// profile asks accounts.google.com for its Google accounts. A request to one of them
    /// that only the proxy saw is the browser's, not the page's; a page's own request to
    /// them is still reported, through DevTools.
    static let browserServiceHosts: Set<String> = [
        "update.googleapis.com", "accounts.google.com", "clients2.google.com", "redirector.gvt1.com",
        "optimizationguide-pa.googleapis.com", "safebrowsing.googleapis.com", "content-autofill.googleapis.com",
    ]

    /// Whether a proxy request target (an absolute URL, or host:port) names one of
    /// ``browserServiceHosts`` or *.gvt1.com.
    static func isBrowserService(_ target: String) -> Bool {
        let authority =
            target.contains("://") ? URL(string: target)?.host ?? "" : String(target.split(separator: ":").first ?? "")
        return browserServiceHosts.contains(authority) || authority.hasSuffix(".gvt1.com")
    }

    /// Chromium's command line: headless, no sandbox (root in a container), nothing of
    /// its own that talks to the network, every request through the harness's proxy.
    static func flags(profile: String, proxyPort: UInt16, width: Int, height: Int) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--remote-debugging-pipe", "--user-data-dir=\(profile)",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-default-apps",
            "--disable-background-networking", "--disable-sync", "--disable-component-update",
            "--metrics-recording-only", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
            "--disable-breakpad", "--no-pings", "--mute-audio", "--hide-scrollbars", "--force-color-profile=srgb",
            "--disable-features=NetworkTimeServiceQuerying,Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
            "--proxy-server=http://127.0.0.1:\(proxyPort)", "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--window-size=\(width),\(height)",
            "about:blank",
        ]
    }

    private static func writeBase64(_ value: Any?, to path: String) throws {
        guard let text = value as? String, let data = Data(base64Encoded: text), !data.isEmpty else {
            throw Failure.badOutput("no data for \(path)")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    // MARK: - Markup

    /// The reasons `file` is not strict polyglot HTML5: `xmllint --noout --nonet` errors
    /// (well-formed XML, with their lines), a missing `<!DOCTYPE html>` at the very start
    /// (a UTF-8 BOM allowed), a root element other than `html`, or no `lang` on it.
    /// Empty when the file passes.
    static func strictParse(_ file: String) throws -> [MarkupProblem] {
        guard access("/usr/bin/xmllint", X_OK) == 0 else { throw Failure.missingTool("xmllint") }
        var problems: [MarkupProblem] = []
        let bytes = Array(FileManager.default.contents(atPath: file) ?? Data())
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if !body.starts(with: Array("<!DOCTYPE html>".utf8)) {
            problems.append(MarkupProblem(line: 1, message: "the file does not begin with <!DOCTYPE html>"))
        }
        let lint = try runTool(["/usr/bin/xmllint", "--noout", "--nonet", file], timeout: 60)
        var reported = 0
        for line in lint.stderr.split(separator: "\n") where line.hasPrefix(file + ":") {
            let rest = line.dropFirst(file.count + 1)
            guard let colon = rest.firstIndex(of: ":"), let number = Int(rest[rest.startIndex..<colon]) else {
                continue
            }
            let message = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            problems.append(MarkupProblem(line: number, message: message))
            reported += 1
        }
        if lint.exitCode != 0 && reported == 0 {
            problems.append(MarkupProblem(line: nil, message: "xmllint failed: \(lint.stderr.prefix(2000))"))
        }
        guard lint.exitCode == 0 else { return problems }
        let root = try runTool(["/usr/bin/xmllint", "--nonet", "--xpath", "local-name(/*)", file], timeout: 60)
        let lang = try runTool(["/usr/bin/xmllint", "--nonet", "--xpath", "string(/*/@lang)", file], timeout: 60)
        let htmlLine = lineOf("<html", in: bytes)
        if root.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "html" {
            problems.append(MarkupProblem(line: nil, message: "the root element is not <html>"))
        } else if lang.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(MarkupProblem(line: htmlLine, message: "<html> has no lang attribute"))
        }
        return problems
    }

    /// The 1-based line where `needle` first occurs in `bytes`.
    private static func lineOf(_ needle: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return nil }
        var line = 1
        for i in 0...(bytes.count - pattern.count) {
            if bytes[i] == UInt8(ascii: "\n") { line += 1 }
            if bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return line }
        }
        return nil
    }

    // MARK: - PDF and PNG

    /// Counts `pdf`'s pages (`pdfinfo`) and rasterises page 1 at 50 dpi (`pdftoppm`, as PNG
    /// into `directory`, and as PPM to count its colours): proof the PDF is readable and
    /// not blank.
    static func inspectPDF(_ pdf: String, into directory: String) throws -> PDFSummary {
        for tool in ["/usr/bin/pdfinfo", "/usr/bin/pdftoppm"] where access(tool, X_OK) != 0 {
            throw Failure.missingTool(tool)
        }
        let info = try runTool(["/usr/bin/pdfinfo", pdf], timeout: 60)
        guard info.exitCode == 0,
            let pagesLine = info.stdout.split(separator: "\n").first(where: { $0.hasPrefix("Pages:") }),
            let pages = Int(pagesLine.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces))
        else { throw Failure.badOutput("pdfinfo \(pdf): \(info)") }
        let stem = directory + "/" + URL(fileURLWithPath: pdf).deletingPathExtension().lastPathComponent + "-page1"
        let png = try runTool(
            ["/usr/bin/pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", pdf, stem],
            timeout: 60
        )
        guard png.exitCode == 0 else { throw Failure.badOutput("pdftoppm -png \(pdf): \(png)") }
        let ppm = try runTool(
            ["/usr/bin/pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-singlefile", pdf, stem],
            timeout: 60
        )
        guard ppm.exitCode == 0 else { throw Failure.badOutput("pdftoppm \(pdf): \(ppm)") }
        defer { unlink(stem + ".ppm") }
        let header = try pngInfo(stem + ".png")
        return PDFSummary(
            pages: pages,
            firstPagePNG: stem + ".png",
            firstPageSize: (header.width, header.height),
            firstPageColours: try distinctColours(ppm: stem + ".ppm", upTo: 1000)
        )
    }

    /// The width, height and size of the PNG at `path`; throws when it does not start with
    /// the PNG signature and an IHDR chunk.
    static func pngInfo(_ path: String) throws -> PNGInfo {
        let bytes = Array(FileManager.default.contents(atPath: path) ?? Data())
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count > 24, bytes.starts(with: signature), bytes[12..<16].elementsEqual(Array("IHDR".utf8))
        else { throw Failure.badOutput("\(path) is not a PNG (\(bytes.count) bytes)") }
        let word = { (at: Int) in bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return PNGInfo(width: word(16), height: word(20), bytes: bytes.count)
    }

    /// How many distinct RGB colours a binary PPM (P6, maxval 255, as pdftoppm writes it)
    /// has, counted up to `limit`.
    static func distinctColours(ppm path: String, upTo limit: Int) throws -> Int {
        let bytes = Array(FileManager.default.contents(atPath: path) ?? Data())
        // Header: "P6", width, height, maxval, separated by whitespace, then one whitespace.
        var fields: [String] = []
        var index = 0
        var current = ""
        while fields.count < 4 && index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D {
                if !current.isEmpty { fields.append(current) }
                current = ""
            } else {
                current.append(Character(UnicodeScalar(byte)))
            }
        }
        guard fields.count == 4, fields[0] == "P6", let width = Int(fields[1]), let height = Int(fields[2]),
            fields[3] == "255", bytes.count - index >= width * height * 3
        else { throw Failure.badOutput("\(path) is not a P6 PPM") }
        var colours = Set<Int>()
        var pixel = index
        let end = index + width * height * 3
        while pixel < end && colours.count < limit {
            colours.insert(Int(bytes[pixel]) << 16 | Int(bytes[pixel + 1]) << 8 | Int(bytes[pixel + 2]))
            pixel += 3
        }
        return colours.count
    }

    // MARK: - Tools

    /// Runs `argv` to completion (killed after `timeout` seconds): exit status, stdout and
    /// stderr, read from files under the temp directory.
    static func runTool(_ argv: [String], timeout: Double) throws -> CommandRun {
        let prefix = NSTemporaryDirectory() + "mlopsd-tool-\(UInt32.random(in: 0...UInt32.max))"
        defer {
            unlink(prefix + ".out")
            unlink(prefix + ".err")
        }
        let started = Date()
        let pid: pid_t
        do {
            pid = try ProcessLauncher.spawn(
                argv[0],
                arguments: Array(argv.dropFirst()),
                environment: ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"],
                stdout: prefix + ".out",
                stderr: prefix + ".err"
            )
        } catch {
            throw Failure.cannotStart("\(argv[0]): \(error)")
        }
        var raw: Int32 = 0
        while waitpid(pid, &raw, WNOHANG) != pid {
            if Date().timeIntervalSince(started) > timeout {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &raw, 0)
                throw Failure.badOutput("\(argv.joined(separator: " ")) did not exit within \(timeout) s")
            }
            usleep(2_000)
        }
        return CommandRun(
            status: WaitStatus(raw: raw),
            stdout: (try? String(contentsOfFile: prefix + ".out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: prefix + ".err", encoding: .utf8)) ?? "",
            seconds: Date().timeIntervalSince(started)
        )
    }

    // MARK: - The browser process

    /// A running Chromium in a process group of its own, its end of the protocol socket on
    /// descriptors 3 (commands in) and 4 (answers and events out).
    private final class Browser {
        let pid: pid_t
        /// Our end of the protocol socket.
        let descriptor: Int32
        private var reaped = false

        init(executable: String, arguments: [String], environment: [String: String], logPath: String) throws {
            var pair: [Int32] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0
            else { throw Failure.cannotStart("socketpair: \(String(cString: strerror(errno)))") }
            // Above 9, so that dup2 onto 3 and 4 never meets the descriptor it copies.
            let ours = fcntl(pair[0], F_DUPFD_CLOEXEC, 10)
            let theirs = fcntl(pair[1], F_DUPFD_CLOEXEC, 10)
            Glibc.close(pair[0])
            Glibc.close(pair[1])
            defer { Glibc.close(theirs) }
            guard ours >= 0, theirs >= 0 else {
                throw Failure.cannotStart("fcntl: \(String(cString: strerror(errno)))")
            }
            do {
                pid = try ChildSpawn.spawn(
                    executable,
                    argv: [executable] + arguments,
                    environment: environment.map { "\($0.key)=\($0.value)" },
                    actions: [
                        .open(0, path: "/dev/null", flags: O_RDONLY),
                        .open(1, path: logPath, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644),
                        .duplicate(1, to: 2),
                        .duplicate(theirs, to: 3),
                        .duplicate(theirs, to: 4),
                        .closeFrom(5),
                    ],
                    ownProcessGroup: true
                )
            } catch {
                Glibc.close(ours)
                throw Failure.cannotStart("posix_spawn \(executable): \(String(cString: strerror(error.code)))")
            }
            descriptor = ours
        }

        /// Waits for the browser to exit until `deadline` (at most 10 s), then kills whatever
        /// is left of its process group and reaps it. Idempotent.
        func stop(deadline: Date) {
            guard !reaped else { return }
            reaped = true
            let until = min(deadline, Date().addingTimeInterval(10))
            var raw: Int32 = 0
            var exited = false
            while Date() < until {
                if waitpid(pid, &raw, WNOHANG) == pid {
                    exited = true
                    break
                }
                usleep(5_000)
            }
            kill(-pid, SIGKILL)
            if !exited { _ = waitpid(pid, &raw, 0) }
            Glibc.close(descriptor)
        }
    }

    // MARK: - The proxy

    /// A TCP listener on 127.0.0.1 that Chromium is told to use as its proxy: it records
    /// the first line of what each connection sends ("GET http://host/x HTTP/1.1",
    /// "CONNECT host:443 HTTP/1.1") and hangs up. Served from the protocol's poll loop.
    private final class ProxyRecorder {
        let listener: Int32
        let port: UInt16
        /// Open connections and what each has sent so far.
        var connections: [Int32: [UInt8]] = [:]
        /// The request lines received, in order.
        var requestLines: [String] = []

        init() throws {
            let listener = socket(
                AF_INET,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue),
                0
            )
            guard listener >= 0 else { throw Failure.cannotStart("socket: \(String(cString: strerror(errno)))") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(listener, pointer, length) == 0 && listen(listener, 16) == 0
                        && getsockname(listener, pointer, &length) == 0
                }
            }
            guard bound else {
                Glibc.close(listener)
                throw Failure.cannotStart("proxy listener: \(String(cString: strerror(errno)))")
            }
            self.listener = listener
            port = UInt16(bigEndian: address.sin_port)
        }

        /// The descriptors to poll for reading.
        var descriptors: [Int32] { [listener] + connections.keys.sorted() }

        /// Handles `descriptor` being readable: accepts, or reads and records a line.
        func service(_ descriptor: Int32) {
            if descriptor == listener {
                while true {
                    let connection = accept(listener, nil, nil)
                    guard connection >= 0 else { return }
                    _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(connection, F_SETFL, O_NONBLOCK)
                    connections[connection] = []
                }
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            var received = connections[descriptor] ?? []
            if count > 0 { received += chunk[0..<count] }
            if let end = received.firstIndex(of: UInt8(ascii: "\n")) {
                requestLines.append(
                    String(decoding: received[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                )
            } else if count > 0 && received.count < 8192 {
                connections[descriptor] = received
                return
            } else if !received.isEmpty {
                requestLines.append(String(decoding: received.prefix(200), as: UTF8.self))
            }
            connections[descriptor] = nil
            Glibc.close(descriptor)
        }

        func close() {
            for descriptor in connections.keys { Glibc.close(descriptor) }
            connections = [:]
            Glibc.close(listener)
        }
    }

    // MARK: - The protocol

    /// One DevTools protocol connection over the socket: NUL-terminated JSON messages.
    /// Commands are answered by id; events (and answers nobody waits for) go to `onEvent`.
    private final class DevTools {
        private let descriptor: Int32
        private let proxy: ProxyRecorder
        private let deadline: Date
        private let timeout: Double
        private let log: () -> String
        private var buffer: [UInt8] = []
        private var nextID = 0
        /// Called with each event, in order.
        var onEvent: ([String: Any]) -> Void = { _ in }

        init(descriptor: Int32, proxy: ProxyRecorder, deadline: Date, timeout: Double, log: @escaping () -> String) {
            self.descriptor = descriptor
            self.proxy = proxy
            self.deadline = deadline
            self.timeout = timeout
            self.log = log
        }

        /// Sends a command without waiting for its answer; returns its id.
        @discardableResult
        func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil) -> Int {
            nextID += 1
            var message: [String: Any] = ["id": nextID, "method": method, "params": params]
            if let session { message["sessionId"] = session }
            guard var bytes = try? JSONSerialization.data(withJSONObject: message) else { return nextID }
            bytes.append(0)
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.send(
                        descriptor,
                        raw.baseAddress.map { $0 + offset },
                        raw.count - offset,
                        Int32(MSG_NOSIGNAL)
                    )
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return }
                    offset += n
                }
            }
            return nextID
        }

        /// Sends a command and waits for its answer's `result`, dispatching events meanwhile.
        func call(
            _ method: String,
            _ params: [String: Any] = [:],
            session: String? = nil,
            step: String
        ) throws -> [String: Any] {
            let id = send(method, params, session: session)
            while true {
                let message = try next(step)
                if message["id"] as? Int == id {
                    if let error = message["error"] as? [String: Any] {
                        throw Failure.protocolError(method: method, message: "\(error["message"] ?? error)")
                    }
                    return message["result"] as? [String: Any] ?? [:]
                }
                if message["method"] != nil { onEvent(message) }
            }
        }

        /// Dispatches events until `condition` holds.
        func waitFor(_ step: String, _ condition: () -> Bool) throws {
            while !condition() {
                let message = try next(step)
                if message["method"] != nil { onEvent(message) }
            }
        }

        /// The next message, serving the proxy while waiting; throws past the deadline or
        /// when the browser closed the socket.
        private func next(_ step: String) throws -> [String: Any] {
            while true {
                if let end = buffer.firstIndex(of: 0) {
                    let bytes = Data(buffer[..<end])
                    buffer.removeSubrange(...end)
                    if let message = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] {
                        return message
                    }
                    continue
                }
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else {
                    throw Failure.timedOut(step: step, seconds: timeout, browserLog: log())
                }
                let watched = [descriptor] + proxy.descriptors
                var fds = watched.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1) * 1000) + 1)
                if ready < 0 && errno != EINTR {
                    throw Failure.badOutput("poll: \(String(cString: strerror(errno)))")
                }
                for entry in fds.dropFirst() where entry.revents != 0 { proxy.service(entry.fd) }
                guard let first = fds.first, first.revents != 0 else { continue }
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                let count = read(descriptor, &chunk, chunk.count)
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard count > 0 else { throw Failure.browserExited(step: step, browserLog: log()) }
                buffer += chunk[0..<count]
            }
        }
    }

    /// What the page did, from the protocol's events: console messages, requests,
    /// which navigations went network-idle; lets the page's own file through `Fetch`
    /// and fails every other paused request.
    private final class PageWatcher {
        let pageURL: String
        var console: [ConsoleMessage] = []
        var requests: [NetworkRequest] = []
        var idleLoaders: Set<String> = []

        init(pageURL: String) { self.pageURL = pageURL }

        /// Whether `url` is the page's own file (a fragment ignored), or something that is
        /// no request at all (data:, blob:, about:).
        func isOwn(_ url: String) -> Bool {
            let base = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            return base == pageURL || url.hasPrefix("data:") || url.hasPrefix("blob:") || url.hasPrefix("about:")
        }

        func handle(_ event: [String: Any], _ connection: DevTools) {
            guard let method = event["method"] as? String else { return }
            let params = event["params"] as? [String: Any] ?? [:]
            let session = event["sessionId"] as? String
            switch method {
            case "Fetch.requestPaused":
                guard let id = params["requestId"] as? String else { return }
                let url = (params["request"] as? [String: Any])?["url"] as? String ?? ""
                if isOwn(url) {
                    connection.send("Fetch.continueRequest", ["requestId": id], session: session)
                } else {
                    connection.send(
                        "Fetch.failRequest",
                        ["requestId": id, "errorReason": "BlockedByClient"],
                        session: session
                    )
                }
            case "Network.requestWillBeSent":
                let url = (params["request"] as? [String: Any])?["url"] as? String ?? ""
                if !isOwn(url) {
                    requests.append(
                        NetworkRequest(url: url, kind: params["type"] as? String ?? "Other", seenBy: .devtools)
                    )
                }
            case "Network.webSocketCreated":
                requests.append(
                    NetworkRequest(url: params["url"] as? String ?? "", kind: "WebSocket", seenBy: .devtools)
                )
            case "Page.lifecycleEvent":
                if params["name"] as? String == "networkIdle", let loader = params["loaderId"] as? String {
                    idleLoaders.insert(loader)
                }
            case "Runtime.consoleAPICalled":
                let type = params["type"] as? String ?? "log"
                let level: ConsoleMessage.Level =
                    switch type {
                    case "error", "assert": .error
                    case "warning": .warning
                    default: .info
                    }
                let arguments = params["args"] as? [[String: Any]] ?? []
                let text = arguments.map { argument in
                    if let value = argument["value"] as? String { return value }
                    if let description = argument["description"] as? String { return description }
                    if let value = argument["value"] { return "\(value)" }
                    return argument["type"] as? String ?? "?"
                }
                let frame = ((params["stackTrace"] as? [String: Any])?["callFrames"] as? [[String: Any]])?.first
                console.append(
                    ConsoleMessage(
                        level: level,
                        source: .console,
                        text: (type == "assert" ? "Assertion failed: " : "") + text.joined(separator: " "),
                        url: frame?["url"] as? String,
                        line: (frame?["lineNumber"] as? Int).map { $0 + 1 }
                    )
                )
            case "Runtime.exceptionThrown":
                let details = params["exceptionDetails"] as? [String: Any] ?? [:]
                let exception = details["exception"] as? [String: Any]
                let described = (exception?["description"] as? String)?.split(separator: "\n").first.map(String.init)
                let value = (exception?["value"]).map { "\($0)" }
                let headline = details["text"] as? String ?? "Uncaught"
                console.append(
                    ConsoleMessage(
                        level: .error,
                        source: .exception,
                        text: described.map { "\(headline) \($0)" } ?? value.map { "\(headline) \($0)" } ?? headline,
                        url: details["url"] as? String,
                        line: (details["lineNumber"] as? Int).map { $0 + 1 }
                    )
                )
            case "Log.entryAdded":
                let entry = params["entry"] as? [String: Any] ?? [:]
                let source = entry["source"] as? String ?? "other"
                guard source != "console-api" else { return }  // also reported by Runtime
                let level: ConsoleMessage.Level =
                    switch entry["level"] as? String {
                    case "error": .error
                    case "warning": .warning
                    default: .info
                    }
                console.append(
                    ConsoleMessage(
                        level: level,
                        source: .browser(source),
                        text: entry["text"] as? String ?? "",
                        url: entry["url"] as? String,
                        line: (entry["lineNumber"] as? Int).map { $0 + 1 }
                    )
                )
            default:
                break
            }
        }
    }
}
