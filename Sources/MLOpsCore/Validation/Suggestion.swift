/// "Did you mean …?" for misspelt keys, kinds and enumerated values.
///
/// Shared by the schema validator, the job envelope and the daemon config so that every
/// misspelling anywhere gets the same kind of help.
public enum Suggestion {
    /// The candidate closest to `word`, when it is close enough to be a likely misspelling:
    /// a case-insensitive Damerau–Levenshtein distance of at most 2, or at most a third of
    /// the word's length for long words, and less than the candidate's own length (so a
    /// short word is never "corrected" into an unrelated one). Ties go to the first candidate.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        // The distance is at least the difference in length, and a match must be within a
        // third of the longer word: a word much longer than every candidate has none. Checked
        // on the UTF-8 length first, so that a 10 MB key costs nothing here.
        let longest = candidates.map(\.utf8.count).max() ?? 0
        guard word.utf8.count <= 4 * (longest * 3 / 2 + 2) else { return nil }
        let w = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let c = Array(candidate.lowercased())
            let limit = max(2, max(w.count, c.count) / 3)
            let d = distance(w, c)
            guard d <= limit, d < c.count else { continue }
            if best == nil || d < (best?.distance ?? Int.max) {
                best = (candidate, d)
            }
        }
        return best?.candidate
    }

    /// A fix sentence for an unknown `word`: "did you mean `x`?" when one candidate is close,
    /// otherwise the list of valid choices.
    public static func fix(for word: String, among candidates: [String], noun: String = "keys") -> String {
        if let match = closest(to: word, among: candidates) {
            return "did you mean `\(match)`?"
        }
        return "valid \(noun): " + candidates.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// Optimal-string-alignment distance (Levenshtein plus transposition of neighbours).
    public static func distance(_ a: String, _ b: String) -> Int {
        distance(Array(a), Array(b))
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        var previous2 = [Int](repeating: 0, count: width)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: width)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
