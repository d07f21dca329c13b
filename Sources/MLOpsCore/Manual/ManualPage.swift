import Foundation

/// A man(7) page being written: the few macros the generated pages use, with text escaped
/// for troff. `man/mlopsd.yaml.5` and `man/mlopsd-jobs.5` are written with it from the
/// declarations (``ConfigManualPage``, ``JobsManualPage``), so they cannot drift from the code.
struct ManualPage {
    private(set) var lines: [String]

    /// A page titled `title` in `section` (`.TH`; no date or version, so the committed page
    /// only changes when its content does).
    init(title: String, section: Int, manual: String) {
        lines = [
            #".\" Generated from the mlopsd sources; do not edit. Regenerate with"#,
            #".\" MLOPSD_UPDATE_MANUALS=1 swift test --filter ManualPageTests"#,
            ".TH \(title) \(section) \"\" \"mlopsd\" \"\(manual)\"",
        ]
    }

    /// `.SH`.
    mutating func section(_ name: String) { lines.append(".SH \(name)") }

    /// `.SS`.
    mutating func subsection(_ text: String) { lines.append(".SS " + Self.escape(text)) }

    /// `.PP` and a paragraph of text (escaped by the caller: ``prose(_:)``, ``escape(_:)``).
    mutating func paragraph(_ text: String) {
        lines.append(".PP")
        lines.append(Self.textLine(text))
    }

    /// `.TP`: a tagged paragraph.
    mutating func tagged(_ tag: String, _ body: String) {
        lines.append(".TP")
        lines.append(Self.textLine(tag))
        lines.append(Self.textLine(body))
    }

    /// `.IP \(bu 2`: a bullet item.
    mutating func bullet(_ text: String) {
        lines.append(#".IP \(bu 2"#)
        lines.append(Self.textLine(text))
    }

    /// A literal block (`.nf` … `.fi`, indented).
    mutating func example(_ text: String) {
        lines.append(".PP")
        lines.append(".RS 4")
        lines.append(".nf")
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(Self.textLine(Self.literal(String(line))))
        }
        lines.append(".fi")
        lines.append(".RE")
    }

    /// A raw line (a macro).
    mutating func raw(_ line: String) { lines.append(line) }

    /// The page's text.
    var text: String { lines.joined(separator: "\n") + "\n" }

    /// A line of text that troff must not read as a request: one starting with `.` or `'`
    /// gets a zero-width `\&` in front.
    static func textLine(_ text: String) -> String {
        text.hasPrefix(".") || text.hasPrefix("'") ? #"\&"# + text : text
    }

    /// Prose escaped for troff: backslashes, and the typographic characters as troff's own
    /// glyph names (so the page is plain ASCII).
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += #"\e"#
            case "…": out += "..."
            case "–": out += #"\(en"#
            case "—": out += #"\(em"#
            case "≥": out += #"\(>="#
            case "≤": out += #"\(<="#
            case "·": out += #"\(md"#
            case "×": out += #"\(mu"#
            case "→": out += #"\(->"#
            case "‖": out += "||"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Text set literally: escaped, with `-` as a minus (options, names, code).
    static func literal(_ text: String) -> String {
        escape(text).replacingOccurrences(of: "-", with: #"\-"#)
    }

    /// `text` in bold, set literally.
    static func bold(_ text: String) -> String { #"\fB"# + literal(text) + #"\fR"# }

    /// `text` in italics.
    static func italic(_ text: String) -> String { #"\fI"# + escape(text) + #"\fR"# }

    /// Prose with `code` spans (backquoted) set in bold.
    static func prose(_ text: String) -> String {
        var out = ""
        for (i, part) in text.split(separator: "`", omittingEmptySubsequences: false).enumerated() {
            out += i % 2 == 1 ? bold(String(part)) : escape(String(part))
        }
        return out
    }
}
