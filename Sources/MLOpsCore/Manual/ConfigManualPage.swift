/// `mlopsd.yaml(5)`, written from the config keys' declarations (``DaemonConfig/Keys``):
/// every key with its variable, default, allowed values and doc line, in the order of the
/// shipped files. Committed as `man/mlopsd.yaml.5`; `ManualPageTests` fails when the
/// committed page and this one differ.
public enum ConfigManualPage {
    /// The page's troff text.
    public static func render() -> String {
        typealias M = ManualPage
        var page = ManualPage(title: "MLOPSD.YAML", section: 5, manual: "File Formats")
        page.section("NAME")
        page.raw(#"mlopsd.yaml \- configuration of the mlopsd daemon"#)
        page.section("SYNOPSIS")
        page.raw(M.bold("/etc/mlopsd/mlopsd.yaml"))
        page.section("DESCRIPTION")
        page.paragraph(
            M.prose(
                "mlopsd(8) reads one YAML file at start and again on `systemctl reload mlopsd` (SIGHUP). "
                    + "It is a mapping of flat keys, with the strict YAML rules of job files "
                    + "(one document; no anchors, aliases or tags; no duplicate keys). "
                    + "A key that is absent or empty takes its default; an unknown key is an error, "
                    + "with the closest valid key suggested. Numbers are plain (`60`, `0.1`); a quoted number is text "
                    + "and refused. Relative paths are resolved against the daemon's working directory. "
                    + "Durations are in seconds unless the key says days."
            )
        )
        page.paragraph(
            M.prose(
                "A bad configuration is refused at start (exit status 78) and at reload (the configuration in force "
                    + "stays), every problem listed as `file:line:column: message; fix`. "
                    + "`mlopsd --check-config` checks a file, and every pipeline definition in `pipelines_dir`, "
                    + "without touching the running daemon. A reload puts every key in force for the next batch "
                    + "except `spool_dir`, `state_dir` and `log_level`, which need a restart."
            )
        )
        page.section("KEYS")
        page.paragraph(
            M.prose(
                "The defaults are the built-in ones, with paths relative to the working directory; the installed "
                    + "file sets `spool_dir: /var/spool/mlopsd`, `state_dir: /var/lib/mlopsd`, "
                    + "`data_roots: [/var/lib/mlopsd/data]`, `metrics_file: /var/lib/mlopsd/mlopsd.prom` and "
                    + "`pipelines_dir: /etc/mlopsd/pipelines`, and lists every key with a comment."
            )
        )
        for key in DaemonConfig.allKeys {
            var tag = M.bold(key.name) + " (" + M.bold(key.environmentName)
            if let alias = key.environmentAlias { tag += ", or " + M.bold(alias) }
            tag += ")"
            let body =
                M.prose(capitalized(key.field.doc)) + ". " + M.escape("Default: ") + M.bold(defaultText(key))
                + M.escape(". Allowed: " + allowed(key) + ".")
            page.tagged(tag, body)
        }
        page.section("ENVIRONMENT")
        page.paragraph(
            M.prose(
                "Every key can be overridden by an environment variable named `MLOPSD_` and the key in upper case "
                    + "(`MLOPSD_LOG_LEVEL`, `MLOPSD_MONITORING_CHECK_INTERVAL`), set with `Environment=` in a drop-in "
                    + "of the unit (`systemctl edit mlopsd`) or in the shell. The variable wins over the file. "
                    + "Its value is read with the file's rules; a list is colon-separated "
                    + "(`MLOPSD_DATA_ROOTS=/srv/a:/srv/b`). An empty variable counts as unset."
            )
        )
        let aliases = DaemonConfig.allKeys.compactMap { key in key.environmentAlias.map { ($0, key.environmentName) } }
        page.paragraph(
            M.prose(
                "The seed system's four variables are still read: "
                    + aliases.map { "`\($0.0)`" }.joined(separator: ", ")
                    + ". When both an old name and its `MLOPSD_` name are set, the `MLOPSD_` one wins. "
                    + "No other unprefixed name is read: `LOG_LEVEL`, `BATCH_SIZE`, `STATE_DIR`, `SPOOL_DIR`, "
                    + "`WINDOW_SIZE` and the like, exported for other tools, do not change mlopsd."
            )
        )
        page.paragraph(
            M.prose(
                "mlopsctl(1) reads `MLOPSD_SPOOL_DIR` for the spool (after `--spool`, before the config file), "
                    + "and the same overrides when it reads the config file."
            )
        )
        page.section("CALENDAR EXPRESSIONS")
        page.paragraph(
            M.prose(
                "`retrain_schedule` takes the `OnCalendar=` syntax of systemd timers (systemd.time(7)): "
                    + "`[WEEKDAYS] [[YEAR-]MONTH-DAY] [HH:MM[:SS]] [ZONE]`, with `*` for any value, lists (`Mon,Wed`), "
                    + "ranges (`Mon..Fri`, `1..5`), repetitions (`*:0/15`), `~` for days counted from the month's end, "
                    + "and the shorthands `minutely`, `hourly`, `daily`, `weekly`, `monthly`, `yearly`, `quarterly` and "
                    + "`semiannually`. It is read as systemd 252 reads it, and kept in the normalized form "
                    + "`systemd-analyze calendar` prints (`Sun 02:00` becomes `Sun *-*-* 02:00:00`)."
            )
        )
        page.paragraph(
            M.prose(
                "Without a zone the expression is read in the daemon's local time zone, as systemd timers do; "
                    + "a trailing `UTC` or tz database name (`Europe/Berlin`) fixes it. A local time the clocks skip "
                    + "is skipped that day; one they repeat elapses once. Quote an expression that starts with `*`: "
                    + "YAML reads a leading `*` as an alias. When `retrain_schedule` is set, `retrain_schedule_days` "
                    + "is not used. `mlopsd --check-config` prints the next three elapses."
            )
        )
        page.example(
            """
            retrain_schedule: Sun 02:00                  # Sundays at 02:00 local time
            retrain_schedule: "Mon..Fri 06:00 UTC"
            retrain_schedule: "*-*-01 03:00"             # the 1st of each month
            retrain_schedule: ""                         # every retrain_schedule_days
            """
        )
        page.section("FILES")
        page.tagged(
            M.bold("/etc/mlopsd/mlopsd.yaml"),
            M.escape("The configuration; an install never overwrites one you changed.")
        )
        page.tagged(
            M.bold("/etc/mlopsd/pipelines/"),
            M.prose("The pipeline definitions (`pipelines_dir`), one `NAME.yaml` each.")
        )
        page.section("EXAMPLES")
        page.example(
            """
            spool_dir: /var/spool/mlopsd
            state_dir: /var/lib/mlopsd
            data_roots: [/var/lib/mlopsd/data, /srv/imaging]
            monitoring_check_interval: 1800
            retrain_schedule: "Sun *-*-* 02:00"
            max_retrains_per_day: 5
            """
        )
        page.section("SEE ALSO")
        page.raw(
            [
                #"\fBmlopsd\fR(8)"#, #"\fBmlopsd\-jobs\fR(5)"#, #"\fBmlopsctl\fR(1)"#, #"\fBsystemd.time\fR(7)"#,
                #"\fBsystemd\-analyze\fR(1)"#,
            ].joined(separator: ", ")
        )
        page.paragraph(M.prose("`/usr/share/doc/mlopsd/configuration.md` has the same table with more background."))
        return page.text
    }

    /// The default as the shipped files write it (`""` for empty text, `[]` for an empty list).
    static func defaultText(_ key: any AnyConfigKey) -> String {
        let text = key.text(of: nil)
        if case .list = key.field.schema { return "[" + text + "]" }
        if text.isEmpty { return "\"\"" }
        return text
    }

    /// What values the key takes, in words.
    static func allowed(_ key: any AnyConfigKey) -> String {
        let (greater, less) = key.exclusiveBounds
        switch key.field.schema {
        case .int(let min, let max):
            return "a whole number" + range(min.map(Double.init), max.map(Double.init), greater: nil, less: nil)
        case .double(let min, let max):
            return "a number" + range(min, max, greater: greater, less: less)
        case .oneOf(let choices):
            return "one of " + choices.joined(separator: ", ")
        case .list(let item, let minCount, let maxCount):
            let count = maxCount.map { "\(minCount) to \($0) items" } ?? "at least \(minCount) items"
            return "a list of \(count), each \(item.expectation)"
        default:
            return key.field.schema.expectation
        }
    }

    /// ` from 1 to 100`, ` of at least 1`, ` greater than 0 and less than 1`, …
    private static func range(_ min: Double?, _ max: Double?, greater: Double?, less: Double?) -> String {
        let f = ValidationRun.format
        if let min, let max, greater == nil, less == nil { return " from \(f(min)) to \(f(max))" }
        var parts: [String] = []
        if let greater {
            parts.append("greater than \(f(greater))")
        } else if let min {
            parts.append("at least \(f(min))")
        }
        if let less { parts.append("less than \(f(less))") } else if let max { parts.append("at most \(f(max))") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " and ")
    }

    private static func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }
}
