import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses a document strictly as XML 1.0 and returns what is wrong with it, or nil when it
/// is well-formed. Foundation's parser on Linux reports some errors only through
/// `parserError` and accepts unclosed elements, so the elements are also matched here:
/// every start has its end, in order, under one root.
enum XMLWellFormedness {
    final class Checker: NSObject, XMLParserDelegate {
        var open: [String] = []
        var roots = 0
        var problem: String?

        func parser(
            _ parser: XMLParser,
            didStartElement elementName: String,
            namespaceURI: String?,
            qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if open.isEmpty { roots += 1 }
            open.append(elementName)
        }

        func parser(
            _ parser: XMLParser,
            didEndElement elementName: String,
            namespaceURI: String?,
            qualifiedName: String?
        ) {
            guard open.last == elementName else {
                if problem == nil { problem = "</\(elementName)> closes <\(open.last ?? "nothing")>" }
                return
            }
            open.removeLast()
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if problem == nil { problem = "line \(parser.lineNumber), column \(parser.columnNumber): \(parseError)" }
        }
    }

    static func error(in document: String) -> String? {
        let parser = XMLParser(data: Data(document.utf8))
        parser.shouldResolveExternalEntities = false
        let checker = Checker()
        parser.delegate = checker
        let parsed = parser.parse()
        if let problem = checker.problem { return problem }
        if let error = parser.parserError { return "\(error)" }
        if !parsed { return "the parser stopped" }
        if !checker.open.isEmpty { return "unclosed: \(checker.open.joined(separator: " > "))" }
        if checker.roots != 1 { return "\(checker.roots) root elements" }
        return nil
    }
}
