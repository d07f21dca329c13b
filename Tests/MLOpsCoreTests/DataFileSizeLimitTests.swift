import MLOpsCore
import Testing

/// The `max_data_file_bytes` refusal: only above the limit, and naming the file, its size,
/// the limit and both fixes.
@Suite struct DataFileSizeLimitTests {
    @Test func aFileAtTheLimitFitsAndOneByteMoreIsRefused() {
        #expect(DataFileSizeLimit.refusal(file: "p.csv", size: 1 << 20, limit: 1 << 20) == nil)
        #expect(DataFileSizeLimit.refusal(file: "p.csv", size: (1 << 20) + 1, limit: 1 << 20) != nil)
    }

    @Test func theRefusalNamesTheFileItsSizeTheLimitAndTheFix() {
        let refusal = DataFileSizeLimit.refusal(file: "/data/big.csv", size: 512 << 20, limit: 256 << 20)
        #expect(
            refusal?.message
                == "/data/big.csv is 536870912 bytes (512.0 MiB); data files of at most 268435456 bytes (256.0 MiB) are read (max_data_file_bytes)"
        )
        #expect(
            refusal?.fix
                == "split the file into several jobs of at most 256.0 MiB each, or raise max_data_file_bytes in the daemon's config"
        )
    }

    @Test func mebibytesAreShownWithOneDecimal() {
        #expect(DataFileSizeLimit.mebibytes(5 << 20) == "5.0 MiB")
        #expect(DataFileSizeLimit.mebibytes(1_572_864) == "1.5 MiB")
        #expect(DataFileSizeLimit.mebibytes(0) == "0.0 MiB")
    }
}
