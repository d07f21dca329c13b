/// Why two CSV files cannot be compared by ``DriftComparison``: each names the file (by
/// its role) and, where there is one, the line, column or column name to fix.
public enum DriftInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which of the two files.
    public enum Side: String, Sendable, Equatable {
        /// The reference file (`--reference`).
        case reference
        /// The current file (`--current`).
        case current
    }

    /// The file is not a CSV table that ``CSVTable`` accepts.
    case csv(Side, CSVError)
    /// A column is in one file's header only.
    case columnInOneFileOnly(name: String, presentIn: Side)
    /// A column named as categorical is in neither header.
    case unknownCategorical(name: String)

    /// The file the problem is in, when it is in one.
    public var side: Side? {
        switch self {
        case .csv(let side, _): return side
        case .columnInOneFileOnly(_, let side): return side == .reference ? .current : .reference
        case .unknownCategorical: return nil
        }
    }

    /// What is wrong and what to do, without the file's name (the caller prefixes it).
    public var description: String {
        switch self {
        case .csv(_, let error):
            return error.description
        case .columnInOneFileOnly(let name, let side):
            let other = side == .reference ? "current" : "reference"
            return "line 1: the column '\(name)' of the \(side.rawValue) file is missing from this header; "
                + "both files need the same columns (add it to the \(other) file, or remove it from the \(side.rawValue) file)"
        case .unknownCategorical(let name):
            return "--categorical names '\(name)', which is not a column of the files"
        }
    }
}
