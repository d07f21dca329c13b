import GRDB
import Logging

extension Store {
    /// Runs `body` in a write transaction for bookkeeping whose failure must not stop the
    /// caller (a Slurm job's state, a child's end, an A/B test's progress): a failure is
    /// logged as `store_error` naming `what`, the store and the error, and nil returned.
    @discardableResult
    func writeOrLog<T>(
        _ what: @autoclosure () -> String,
        logger: Logger,
        metadata: Logger.Metadata = [:],
        _ body: (Database) throws -> T
    ) -> T? {
        do {
            return try write(body)
        } catch {
            logFailure(what(), error: error, logger: logger, metadata: metadata)
            return nil
        }
    }

    /// Runs `body` in a read transaction for a figure the caller can do without (status,
    /// metrics): a failure is logged as `store_error` naming `what`, and nil returned.
    func readOrLog<T>(
        _ what: @autoclosure () -> String,
        logger: Logger,
        metadata: Logger.Metadata = [:],
        _ body: (Database) throws -> T
    ) -> T? {
        do {
            return try read(body)
        } catch {
            logFailure(what(), error: error, logger: logger, metadata: metadata)
            return nil
        }
    }

    private func logFailure(_ what: String, error: any Error, logger: Logger, metadata: Logger.Metadata) {
        var metadata = metadata
        metadata["event"] = LogEvent.storeError.metadataValue
        metadata["path"] = .string(path)
        logger.error("cannot \(what) in \(path): \(error)", metadata: metadata)
    }
}
