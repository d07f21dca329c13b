import Testing

@testable import MLOpsCore

/// Composes `yaml` and validates its `v` value against `schema` under path `params.v`.
private func check(_ yaml: String, _ schema: Schema) throws -> Result<JSONValue, ValidationFailure> {
    let root = try #require(try YAMLComposer.compose(yaml))
    let node = try #require(root["v"])
    do {
        return .success(try SchemaValidator.validate(node, against: schema, path: "params.v"))
    } catch {
        return .failure(error)
    }
}

private func errors(_ result: Result<JSONValue, ValidationFailure>) -> [JobError] {
    if case .failure(let f) = result { return f.errors }
    return []
}

@Suite struct SchemaScalarTests {
    @Test func stringTakesAnyScalarStyleAsText() throws {
        #expect(try check("v: hello", .string()) == .success("hello"))
        #expect(try check("v: '42'", .string()) == .success("42"))
        #expect(try check("v: 42", .string()) == .success("42"))
        #expect(try check("v: |\n  block\n", .string()) == .success("block\n"))
    }

    @Test func stringRuleViolationNamesTheRule() throws {
        let e = errors(try check("v: abcdef", .string(.maxLength(3))))
        #expect(e.count == 1)
        #expect(e.first?.code == .invalidValue)
        #expect(e.first?.message == "params.v must be text of at most 3 characters")
    }

    @Test func listWhereStringExpectedIsWrongType() throws {
        let e = errors(try check("v: [a]", .string()))
        #expect(e.first?.code == .wrongType)
        #expect(e.first?.line == 1)
        #expect(e.first?.column == 4)
    }

    @Test func plainIntegersParseAndQuotedOnesAreWrongTypeWithFix() throws {
        #expect(try check("v: -12", .int()) == .success(.int(-12)))
        #expect(try check("v: +7", .int()) == .success(.int(7)))
        let e = errors(try check("v: \"12\"", .int()))
        #expect(e.first?.code == .wrongType)
        #expect(e.first?.fix == "remove the quotes")
    }

    @Test func integerBoundsNameTheBound() throws {
        let low = errors(try check("v: 3", .int(min: 10, max: 20)))
        #expect(low.first?.code == .invalidValue)
        #expect(low.first?.message.contains("at least 10") == true)
        let high = errors(try check("v: 30", .int(min: 10, max: 20)))
        #expect(high.first?.message.contains("at most 20") == true)
    }

    @Test func decimalWhereIntegerExpectedIsRefused() throws {
        let e = errors(try check("v: 1.5", .int()))
        #expect(e.first?.code == .invalidValue)
        let text = errors(try check("v: many", .int()))
        #expect(text.first?.code == .wrongType)
    }

    @Test func doublesAcceptIntegersDecimalsAndExponents() throws {
        #expect(try check("v: 2", .double()) == .success(.double(2)))
        #expect(try check("v: 0.25", .double()) == .success(.double(0.25)))
        #expect(try check("v: 1e-3", .double()) == .success(.double(0.001)))
        #expect(try check("v: .5", .double()) == .success(.double(0.5)))
    }

    @Test func infinityAndNaNAreRefused() throws {
        #expect(errors(try check("v: .inf", .double())).first?.code == .invalidValue)
        #expect(errors(try check("v: .nan", .double())).first?.code == .invalidValue)
        #expect(errors(try check("v: 1e999", .double())).first?.code == .invalidValue)
    }

    @Test func doubleBounds() throws {
        let e = errors(try check("v: 0.7", .double(min: 0, max: 0.5)))
        #expect(e.first?.message.contains("at most 0.5") == true)
    }

    @Test func boolsAreOnlyTrueOrFalse() throws {
        #expect(try check("v: true", .bool) == .success(true))
        #expect(try check("v: FALSE", .bool) == .success(false))
        let e = errors(try check("v: yes", .bool))
        #expect(e.first?.code == .invalidValue)
        #expect(e.first?.fix?.contains("write true or false") == true)
        #expect(errors(try check("v: 'true'", .bool)).first?.code == .wrongType)
    }

    @Test func oneOfSuggestsTheClosestChoice() throws {
        #expect(try check("v: rmse", .oneOf(["rmse", "mae"])) == .success("rmse"))
        let e = errors(try check("v: regresion", .oneOf(["binary_classification", "regression"])))
        #expect(e.first?.code == .invalidValue)
        #expect(e.first?.message.contains("must be one of binary_classification, regression") == true)
        #expect(e.first?.fix == "did you mean `regression`?")
    }

    @Test func nullValueForAScalarSchemaIsReported() throws {
        let e = errors(try check("v: ~", .int()))
        #expect(e.first?.code == .invalidValue)
        #expect(e.first?.message.contains("empty") == true)
    }

    @Test func anyConvertsPlainScalarsBestEffort() throws {
        let r = try check("v: {a: 1, b: 2.5, c: true, d: null, e: '1', f: text, g: [x]}", .any)
        #expect(r == .success(["a": 1, "b": 2.5, "c": true, "d": nil, "e": "1", "f": "text", "g": ["x"]]))
    }
}

@Suite struct SchemaCollectionTests {
    static let item = ObjectSchema([
        Field("name", .string(), required: true, doc: "the column"),
        Field("type", .oneOf(["numerical", "categorical"]), required: true),
        Field("weight", .double(), default: 1.0),
    ])

    @Test func listItemsGetIndexedPaths() throws {
        let yaml = """
            v:
              - name: a
                type: numerical
              - name: b
                type: numerical
              - name: c
                type: categoric
            """
        let e = errors(try check(yaml, .list(.object(Self.item))))
        #expect(e.count == 1)
        #expect(e.first?.message.hasPrefix("params.v[2].type must be one of") == true)
        #expect(e.first?.line == 7)
        #expect(e.first?.column == 11)
    }

    @Test func listCountBoundsAreChecked() throws {
        #expect(
            errors(try check("v: []", .list(.string(), minCount: 1))).first?.message.contains("at least 1 item") == true
        )
        #expect(
            errors(try check("v: [a, b, c]", .list(.string(), maxCount: 2))).first?.message.contains("at most 2")
                == true
        )
    }

    @Test func unknownKeySuggestsTheClosestField() throws {
        let e = errors(try check("v:\n  name: a\n  type: numerical\n  wieght: 2\n", .object(Self.item)))
        #expect(e.count == 1)
        #expect(e.first?.code == .unknownKey)
        #expect(e.first?.line == 4)
        #expect(e.first?.column == 3)
        #expect(e.first?.fix == "did you mean `weight`?")
    }

    @Test func unknownKeyFarFromAnyFieldListsTheValidKeys() throws {
        let e = errors(try check("v:\n  name: a\n  type: numerical\n  colour: red\n", .object(Self.item)))
        #expect(e.first?.fix == "valid keys: `name`, `type`, `weight`")
    }

    @Test func missingRequiredFieldIsReportedAtTheMappingWithItsDoc() throws {
        let e = errors(try check("v:\n  type: numerical\n", .object(Self.item)))
        #expect(e.count == 1)
        #expect(e.first?.code == .missingField)
        #expect(e.first?.message == "params.v.name is missing (the column)")
        #expect(e.first?.line == 2)
        #expect(e.first?.column == 3)
    }

    @Test func defaultsAreFilledIn() throws {
        #expect(
            try check("v: {name: a, type: numerical}", .object(Self.item))
                == .success(["name": "a", "type": "numerical", "weight": 1.0])
        )
    }

    @Test func allErrorsAreCollectedInFileOrder() throws {
        let yaml = "v:\n  typo: 1\n  type: wrong\n  weight: heavy\n"
        let e = errors(try check(yaml, .object(Self.item)))
        #expect(e.map(\.code) == [.unknownKey, .missingField, .invalidValue, .wrongType])
        #expect(e.compactMap(\.line) == [2, 2, 3, 4])
    }

    @Test func checkRunsOnlyOnAValidObject() throws {
        let schema = ObjectSchema([Field("lo", .int()), Field("hi", .int())]) { value, node in
            guard let lo = value["lo"]?.intValue, let hi = value["hi"]?.intValue, hi < lo else { return [] }
            return [JobError(.invalidValue, "hi must be at least lo", at: node["hi"]?.mark)]
        }
        let e = errors(try check("v:\n  lo: 5\n  hi: 2\n", .object(schema)))
        #expect(e.first?.message == "hi must be at least lo")
        #expect(e.first?.line == 3)
        #expect(e.first?.column == 7)
        let typeError = errors(try check("v:\n  lo: x\n  hi: 2\n", .object(schema)))
        #expect(typeError.count == 1)
        #expect(typeError.first?.code == .wrongType)
    }

    @Test func mapChecksKeysAndValues() throws {
        let schema = Schema.map(keys: .column, values: .int())
        #expect(try check("v: {a: 1, b: 2}", schema) == .success(["a": 1, "b": 2]))
        let e = errors(try check("v: {9a: 1, b: x}", schema))
        #expect(e.map(\.code) == [.invalidValue, .wrongType])
    }

    @Test func emptyObjectValueCountsAsAnEmptyMapping() throws {
        let e = errors(try check("v:\n", .object(Self.item)))
        #expect(e.map(\.code) == [.missingField, .missingField])
    }
}

@Suite struct SuggestionTests {
    @Test func closeMisspellingsAreSuggested() {
        #expect(Suggestion.closest(to: "parms", among: ["kind", "model", "id", "reason", "params"]) == "params")
        #expect(Suggestion.closest(to: "modle", among: ["kind", "model", "id", "reason", "params"]) == "model")
        #expect(Suggestion.closest(to: "KIND", among: ["kind", "model"]) == "kind")
        #expect(Suggestion.closest(to: "featurs", among: ["features", "target"]) == "features")
    }

    @Test func unrelatedWordsGetNoSuggestion() {
        #expect(Suggestion.closest(to: "colour", among: ["name", "type"]) == nil)
        #expect(Suggestion.closest(to: "x", among: ["id"]) == nil)
    }

    @Test func transpositionCountsAsOneEdit() {
        #expect(Suggestion.distance("ab", "ba") == 1)
        #expect(Suggestion.distance("kitten", "sitting") == 3)
    }
}
