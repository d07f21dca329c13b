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
    /// A column named as a model output or the target (`option` says which) is not in the
    /// reference file's header.
    case unknownOutputColumn(option: String, name: String)
    /// A score column holds a cell that is not a number.
    case scoreNotANumber(name: String, side: Side, cell: ColumnarCSV.NotANumber)
    /// The outputs cannot be estimated from (the estimator's reason).
    case estimation(EstimationError)
    /// A binary score column, but the target and predictions hold more than two classes.
    case tooManyClassesForOneScore([String])

    /// The file the problem is in, when it is in one.
    public var side: Side? {
        switch self {
        case .csv(let side, _): return side
        case .columnInOneFileOnly(_, let side): return side == .reference ? .current : .reference
        case .unknownCategorical, .unknownOutputColumn, .tooManyClassesForOneScore: return nil
        case .scoreNotANumber(_, let side, _): return side
        case .estimation: return .reference
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
        case .unknownOutputColumn(let option, let name):
            return "\(option) names '\(name)', which is not a column of the reference file"
        case .scoreNotANumber(let name, _, let cell):
            return "line \(cell.line), column '\(name)': '\(cell.text)' is not a number; a score column holds "
                + "probabilities (or scores) as numbers, an empty cell where one is missing"
        case .estimation(let error):
            return "cannot estimate performance: \(error)"
        case .tooManyClassesForOneScore(let classes):
            return "--score gives one class's score, but the target and predictions hold \(classes.count) classes ("
                + classes.prefix(10).joined(separator: ", ") + (classes.count > 10 ? ", …" : "")
                + "); for more than two classes give --probability CLASS=COLUMN for each"
        }
    }
}
