/// The files besides `model.json` that the embedded trainer writes into its output
/// directory, as text and JSON (the executable only writes them): `reference.csv` and
/// `schema.json`, shaped so that `create-version` accepts the directory as it is
/// (docs/registry.md).
public enum TrainerArtifacts {
    /// `reference.csv`: the model's feature columns then its segment columns (equipment,
    /// population), in the model's order, for the rows `rows` of `table`, values exactly as
    /// the data had them. This is what drift is later measured against.
    public static func referenceCSV(table: CSVTable, spec: ModelSpec, rows: [Int]) -> String {
        let names = spec.featureNames + spec.segmentFields
        let columns = names.compactMap { table.column($0) }
        let picked = rows.filter { table.rows.indices.contains($0) }.map { r in
            columns.map { $0 < table.rows[r].count ? table.rows[r][$0] : "" }
        }
        return CSVTable(header: names, rows: picked, rowLines: []).text
    }

    /// `schema.json`: `{"features": [{"name", "type"}, …]}`, the features the model was
    /// trained on in its order; create-version checks it equals the model's declaration.
    public static func schema(_ spec: ModelSpec) -> JSONValue {
        ["features": .array(spec.features.map { ["name": .string($0.name), "type": .string($0.type.rawValue)] })]
    }
}
