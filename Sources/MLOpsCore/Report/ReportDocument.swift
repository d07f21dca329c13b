/// The frame both reports share: a complete `<!DOCTYPE html>` document, well-formed as XML
/// too (void elements self-closed, every attribute quoted, only the five XML entities),
/// with the inline style sheet and nothing else in its head: no script, no link, no URL.
public enum ReportDocument {
    /// The document titled `title` around `body` (markup the caller wrote and escaped).
    public static func page(title: String, body: String) -> String {
        var html = HTMLWriter(capacity: body.utf8.count + ReportStyle.css.utf8.count + 600)
        html.raw("<!DOCTYPE html>\n")
        html.open("html", [("lang", "en")])
        html.raw("\n<head>")
        html.void("meta", [("charset", "utf-8")])
        html.void("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
        html.void("meta", [("name", "generator"), ("content", "mlopsd")])
        html.element("title", title)
        html.raw("\n<style>\n")
        html.raw(ReportStyle.css)
        html.raw("</style>\n</head>\n<body>\n")
        html.raw(body)
        html.raw("\n</body>\n</html>\n")
        return html.text
    }
}
