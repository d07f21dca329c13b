import Foundation
import Glibc
import Testing

@testable import MLOpsDaemon

/// The headless-browser checker (``HeadlessBrowser``) proved on small pages written here:
/// it must pass a clean self-contained page and catch console errors, uncaught exceptions,
/// every request that leaves the file, malformed markup and a page that hangs. Skipped
/// with a message when Chromium, poppler or xmllint is missing, except in CI
/// (`MLOPSD_REQUIRE_BROWSER=1`), where that fails.
@Suite(.serialized) struct HeadlessBrowserTests {
    /// A directory for one test's pages and renderings, removed afterwards.
    final class Pages {
        let dir: String

        init() throws {
            dir = "/tmp/mlopsd-tests/browser-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        /// Writes `html` as `name` and returns its path.
        func write(_ name: String, _ html: String) throws -> String {
            let path = dir + "/" + name
            try writeFile(path, Data(html.utf8))
            return path
        }
    }

    /// A polyglot page: `head` inside <head>, `body` inside <body>.
    static func page(head: String = "", body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <title>test page</title>
        \(head)
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// A 1×1 red PNG as a data: URI (a data: image is part of the file, not a request).
    static let redDot =
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="

    /// What a self-contained report looks like: inline CSS, inline SVG, a data: image, a
    /// script that writes into the page.
    static let cleanPage = page(
        head: """
            <style>
            body { font-family: "DejaVu Sans", sans-serif; margin: 2em; color: #223; }
            h1 { color: #1f4e79; border-bottom: 4px solid #c00; }
            .bar { fill: #2a7ab0; }
            @media print { h1 { color: #000; } }
            </style>
            """,
        body: """
            <h1>Model report: churn 1.4.0</h1>
            <p id="status">waiting for script</p>
            <svg width="400" height="120" viewBox="0 0 400 120">
              <rect class="bar" x="10" y="20" width="80" height="100"/>
              <rect class="bar" x="110" y="60" width="80" height="60"/>
              <rect x="210" y="40" width="80" height="80" fill="#e08020"/>
            </svg>
            <p><img src="\(redDot)" width="40" height="40" alt="red dot"/></p>
            <script>
            document.getElementById("status").textContent = "rendered by script";
            console.log("report ready");
            </script>
            """
    )

    @Test func cleanSelfContainedPageRendersWithNoErrorAndNoRequest() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write("clean.html", Self.cleanPage)

        #expect(try HeadlessBrowser.strictParse(file) == [])
        let rendering = try HeadlessBrowser.render(file, into: pages.dir + "/out")
        print("headless render (PNG + PDF + DOM) took \(String(format: "%.2f", rendering.seconds)) s")

        #expect(rendering.consoleErrors == [], "\(rendering.console)")
        #expect(rendering.requests == [], "\(rendering.requests)")
        #expect(rendering.console.contains { $0.level == .info && $0.text == "report ready" })
        #expect(rendering.dom.contains("rendered by script"), "the script ran before the DOM was read")

        let png = try HeadlessBrowser.pngInfo(rendering.screenshot)
        #expect(png.width == 1400 && png.height == 2000, "\(png)")
        #expect(png.bytes > 5_000, "\(png)")

        let pdf = try HeadlessBrowser.inspectPDF(rendering.pdf, into: pages.dir + "/out")
        #expect(pdf.pages == 1)
        let size = try HeadlessBrowser.pngInfo(pdf.firstPagePNG)
        // A4 at 50 dpi: 8.27 in × 11.69 in.
        #expect(size.width == 414 && size.height == 585, "\(size)")
        #expect(pdf.firstPageColours > 10, "page 1 has \(pdf.firstPageColours) colours: blank?")
    }

    @Test func blankPagePrintsToASingleColour() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write("blank.html", Self.page(body: ""))
        let rendering = try HeadlessBrowser.render(file, into: pages.dir)
        let pdf = try HeadlessBrowser.inspectPDF(rendering.pdf, into: pages.dir)
        #expect(pdf.firstPageColours == 1, "the colour count is what tells a blank page from a drawn one")
    }

    @Test func consoleErrorIsReportedWithItsLine() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write("console.html", Self.page(body: "<script>console.error(\"x\")</script>"))
        let rendering = try HeadlessBrowser.render(file, into: pages.dir)
        #expect(rendering.consoleErrors.count == 1, "\(rendering.console)")
        let error = try #require(rendering.consoleErrors.first)
        #expect(error.text == "x")
        #expect(error.source == .console)
        #expect(error.line == 9, "the <script> is on line 9 of the page")
        #expect(rendering.requests == [])
    }

    @Test func uncaughtExceptionAndUnhandledRejectionAreReported() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write(
            "exception.html",
            Self.page(
                body: """
                    <script>Promise.reject(new TypeError("nobody catches this"));</script>
                    <script>notDefinedAnywhere();</script>
                    <p>after</p>
                    """
            )
        )
        let rendering = try HeadlessBrowser.render(file, into: pages.dir)
        let exceptions = rendering.consoleErrors.filter { $0.source == .exception }
        #expect(exceptions.count == 2, "\(rendering.console)")
        #expect(exceptions.contains { $0.text.contains("ReferenceError: notDefinedAnywhere is not defined") })
        #expect(exceptions.contains { $0.text.contains("TypeError: nobody catches this") })
    }

    @Test func remoteImageIsReportedAsARequest() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write(
            "image.html",
            Self.page(
                body: """
                    <img src="http://example.invalid/a.png" alt="remote"/>
                    <img src="https://update.googleapis.com/b.png" alt="a host Chromium also calls on its own"/>
                    """
            )
        )
        let rendering = try HeadlessBrowser.render(file, into: pages.dir)
        #expect(
            rendering.requests.contains(.init(url: "http://example.invalid/a.png", kind: "Image", seenBy: .devtools)),
            "\(rendering.requests)"
        )
        #expect(!rendering.requests.contains { $0.seenBy == .proxy }, "blocked before it reached the network")
        // The page's own request to a host of the browser's background traffic still counts.
        #expect(
            rendering.requests.contains(
                .init(url: "https://update.googleapis.com/b.png", kind: "Image", seenBy: .devtools)
            ),
            "\(rendering.requests)"
        )
    }

    @Test func remoteStylesheetAndCSSURLAreReportedAsRequests() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write(
            "styles.html",
            Self.page(
                head: """
                    <link rel="stylesheet" href="https://cdn.example/x.css"/>
                    <style>body { background: url(http://images.example/bg.png); }</style>
                    """,
                body: "<p>styled</p>"
            )
        )
        let rendering = try HeadlessBrowser.render(file, into: pages.dir)
        let urls = Set(rendering.requests.map(\.url))
        #expect(urls.contains("https://cdn.example/x.css"), "\(rendering.requests)")
        #expect(urls.contains("http://images.example/bg.png"), "\(rendering.requests)")
        #expect(rendering.requests.first { $0.url == "https://cdn.example/x.css" }?.kind == "Stylesheet")
    }

    @Test func scriptedRequestsWebSocketsAndOtherFilesAreReported() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        _ = try pages.write("neighbour.png", "not really a PNG")
        let file = try pages.write(
            "scripted.html",
            Self.page(
                body: """
                    <img src="neighbour.png" alt="a file beside the report"/>
                    <script>
                    fetch("https://api.example/v1/x").catch(function () {});
                    try { new WebSocket("ws://socket.example/live"); } catch (e) {}
                    </script>
                    """
            )
        )
        let rendering = try HeadlessBrowser.render(file, into: pages.dir)
        let urls = Set(rendering.requests.map(\.url))
        #expect(urls.contains("https://api.example/v1/x"), "\(rendering.requests)")
        #expect(urls.contains("ws://socket.example/live"), "\(rendering.requests)")
        #expect(
            urls.contains(URL(fileURLWithPath: pages.dir + "/neighbour.png").absoluteString),
            "\(rendering.requests)"
        )
        // A WebSocket is not paused by Fetch: it goes to the harness's proxy, which sees it too.
        #expect(
            rendering.requests.contains { $0.seenBy == .proxy && $0.url.hasPrefix("socket.example") },
            "\(rendering.requests) \(rendering.console)"
        )
    }

    @Test func malformedMarkupIsReportedWithItsLine() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write("malformed.html", Self.page(body: "<p><b></p>"))
        let problems = try HeadlessBrowser.strictParse(file)
        #expect(!problems.isEmpty)
        let first = try #require(problems.first)
        #expect(first.line == 9, "\(problems)")
        #expect(first.message.contains("mismatch"), "\(problems)")
    }

    @Test func missingDoctypeAndLangAreReported() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write(
            "nolang.html",
            "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head><title>t</title></head><body/></html>\n"
        )
        let problems = try HeadlessBrowser.strictParse(file)
        #expect(problems.contains { $0.line == 1 && $0.message.contains("<!DOCTYPE html>") }, "\(problems)")
        #expect(problems.contains { $0.line == 1 && $0.message.contains("lang") }, "\(problems)")
        #expect(problems.count == 2, "\(problems)")
    }

    @Test func htmlEntityThatXMLDoesNotKnowIsReported() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write("entity.html", Self.page(body: "<p>a&nbsp;b</p>"))
        let problems = try HeadlessBrowser.strictParse(file)
        #expect(problems.contains { $0.line == 9 && $0.message.contains("nbsp") }, "\(problems)")
    }

    @Test func hangingPageIsKilledAtTheDeadline() throws {
        guard try HeadlessBrowser.available() else { return }
        let pages = try Pages()
        let file = try pages.write("hang.html", Self.page(body: "<script>for (;;) {}</script>"))
        let started = Date()
        #expect {
            _ = try HeadlessBrowser.render(file, into: pages.dir, timeout: 5)
        } throws: { error in
            guard case HeadlessBrowser.Failure.timedOut = error else { return false }
            return true
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 15, "render returned \(elapsed) s after it started")
        #expect(Self.processes(mentioning: pages.dir) == [], "no Chromium process of this render is left")
    }

    /// The pids whose command line mentions `text`.
    static func processes(mentioning text: String) -> [pid_t] {
        allNames(in: "/proc").compactMap { name -> pid_t? in
            guard let pid = pid_t(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline")
            else { return nil }
            return String(decoding: data, as: UTF8.self).contains(text) ? pid : nil
        }
    }
}
