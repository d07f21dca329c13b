import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses a document strictly as XML 1.0 (no external entities, no DTD loading) and
/// returns the parser's error, or nil when the document is well-formed.
enum XMLWellFormedness {
    static func error(in document: String) -> String? {
        let parser = XMLParser(data: Data(document.utf8))
        parser.shouldResolveExternalEntities = false
        if parser.parse() { return nil }
        let error = parser.parserError.map { "\($0)" } ?? "unknown error"
        return "line \(parser.lineNumber), column \(parser.columnNumber): \(error)"
    }
}
