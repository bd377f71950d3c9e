using System.Globalization;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Analysis;

/// <summary>
/// Reads <c>kind: AnalysisTemplate</c> documents with a <c>file:line:col</c> diagnostic for every
/// problem: unknown fields, an unknown provider, an expression that does not parse, a query that
/// names an argument the template does not declare.
/// </summary>
public static partial class AnalysisTemplateLoader
{
    public const string Kind = "AnalysisTemplate";

    public static readonly IReadOnlyList<string> Providers = ["prometheus"];

    /// <summary>The AnalysisTemplates of one file on its own (as <c>gitops analyze</c> reads it), with every problem.</summary>
    public static IReadOnlyList<AnalysisTemplate> Load(string file, string text, List<Diagnostic> diagnostics)
    {
        LoadResult result = DocumentLoader.Load(file, text, NoTaskTypes.Instance);
        diagnostics.AddRange(result.Diagnostics);
        return result.AnalysisTemplates;
    }

    /// <summary>Templates use no task types; a file of them is read against none.</summary>
    sealed class NoTaskTypes : ITaskTypeCatalog
    {
        public static readonly NoTaskTypes Instance = new();

        public IEnumerable<string> Names => [];

        public bool TryGetSchema(string uses, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TaskTypeSchema schema)
        {
            schema = null;
            return false;
        }
    }

    /// <summary>Reads the spec of an AnalysisTemplate whose envelope has been read; null when it has errors.</summary>
    internal static AnalysisTemplate? Read(KindReader reader)
    {
        string file = reader.File;
        string name = reader.Name;
        List<Diagnostic> diagnostics = reader.Diagnostics;
        int before = diagnostics.Count;
        MappingReader spec = reader.Spec;

        var args = new List<AnalysisArg>();
        if (spec.Node("args") is YSequence argList)
        {
            foreach (YNode item in argList.Items)
            {
                if (MappingReader.For(file, item, "an arg", diagnostics) is MappingReader arg && arg.String("name", required: true) is string argName)
                {
                    args.Add(new AnalysisArg(argName, arg.String("value")));
                    arg.RejectUnknown();
                }
            }
        }

        var metrics = new List<MetricSpec>();
        if (spec.Node("metrics", required: true) is YSequence metricList)
        {
            foreach (YNode item in metricList.Items)
            {
                if (ReadMetric(file, item, args, diagnostics) is MetricSpec metric)
                {
                    metrics.Add(metric);
                }
            }

            if (metricList.Items.Count == 0)
            {
                spec.Error(metricList.Position, "metrics must list at least one metric");
            }
        }

        spec.RejectUnknown();
        return diagnostics.Count == before ? new AnalysisTemplate(name, args, metrics) : null;
    }

    static MetricSpec? ReadMetric(string file, YNode node, IReadOnlyList<AnalysisArg> args, List<Diagnostic> diagnostics)
    {
        MappingReader? metric = MappingReader.For(file, node, "a metric", diagnostics);
        if (metric is null)
        {
            return null;
        }

        string? name = metric.String("name", required: true);
        string? success = Expression(metric, "successCondition");
        string? failure = Expression(metric, "failureCondition");
        var result = new MetricSpec
        {
            Name = name ?? string.Empty,
            Interval = metric.Duration("interval"),
            Count = metric.Integer("count", min: 1),
            InitialDelay = metric.Duration("initialDelay") ?? AnalysisDefaults.InitialDelay,
            SuccessCondition = success,
            FailureCondition = failure,
            FailureLimit = metric.Integer("failureLimit", min: 0) ?? AnalysisDefaults.FailureLimit,
            InconclusiveLimit = metric.Integer("inconclusiveLimit", min: 0) ?? AnalysisDefaults.InconclusiveLimit,
            ConsecutiveErrorLimit = metric.Integer("consecutiveErrorLimit", min: 0) ?? AnalysisDefaults.ConsecutiveErrorLimit,
            Prometheus = null!,
        };
        MappingReader? provider = MappingReader.For(file, metric.Node("provider", required: true), "provider", diagnostics);
        metric.RejectUnknown();
        if (provider is null)
        {
            return null;
        }

        foreach (var (key, _) in provider.Mapping.Entries.Where(e => !Providers.Contains(e.Key.Value)))
        {
            provider.Error(key.Position, $"unknown provider '{key.Value}' (known: {string.Join(", ", Providers)})");
        }

        MappingReader? prometheus = MappingReader.For(file, provider.Node("prometheus", required: true), "prometheus", diagnostics);
        provider.RejectUnknown();
        if (prometheus is null || name is null)
        {
            return null;
        }

        string? address = prometheus.String("address", required: true);
        string? query = Query(prometheus, "query", args, required: true);
        RangeQuery? range = null;
        if (MappingReader.For(file, prometheus.Node("rangeQuery"), "rangeQuery", diagnostics) is MappingReader rangeReader)
        {
            range = new RangeQuery(rangeReader.Duration("start") ?? AnalysisDefaults.RangeStart, rangeReader.Duration("step") ?? AnalysisDefaults.RangeStep);
            rangeReader.RejectUnknown();
        }

        MinSamples? minimum = null;
        if (MappingReader.For(file, prometheus.Node("minSamples"), "minSamples", diagnostics) is MappingReader guard)
        {
            string? guardQuery = Query(guard, "query", args, required: true);
            double? value = guard.Node("value", required: true) is YScalar scalar && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) ? parsed : null;
            if (value is null && guard.PositionOf("value") is SourcePosition at)
            {
                guard.Error(at, "'value' must be a number");
            }

            guard.RejectUnknown();
            minimum = guardQuery is not null && value is double v ? new MinSamples(guardQuery, v) : null;
        }

        TimeSpan timeout = prometheus.Duration("timeout") ?? AnalysisDefaults.QueryTimeout;
        prometheus.RejectUnknown();
        return address is null || query is null ? null : result with
        {
            Prometheus = new PrometheusMetric { Address = address, Query = query, Range = range, MinSamples = minimum, Timeout = timeout },
        };
    }

    static string? Expression(MappingReader reader, string field)
    {
        string? text = reader.String(field);
        if (text is not null && ExpressionLanguage(text) is string problem)
        {
            reader.Error(reader.PositionOf(field)!.Value, $"{field}: {problem}");
            return null;
        }

        return text;
    }

    /// <summary>Conditions read the measurement as <c>result</c>, and nothing else; their values are never templated in.</summary>
    static string? ExpressionLanguage(string text) => Expressions.ExpressionLanguage.Check(text, out _, ResultVariable, allowTemplates: false);

    static readonly IReadOnlySet<string> ResultVariable = new HashSet<string>(StringComparer.Ordinal) { "result" };

    /// <summary>A query string whose <c>{{args.NAME}}</c> references all name declared args.</summary>
    static string? Query(MappingReader reader, string field, IReadOnlyList<AnalysisArg> args, bool required)
    {
        string? query = reader.String(field, required);
        if (query is null)
        {
            return null;
        }

        foreach (Match reference in ArgReference().Matches(query))
        {
            if (!args.Any(a => a.Name == reference.Groups[1].Value))
            {
                reader.Error(reader.PositionOf(field)!.Value, $"{field} uses args.{reference.Groups[1].Value}, which spec.args does not declare");
            }
        }

        return query;
    }

    /// <summary>
    /// The argument values an analysis runs with: the templates' defaults, overridden by
    /// <paramref name="given"/>. Every argument a query uses must end up with a value, or this throws
    /// before anything is measured.
    /// </summary>
    public static Dictionary<string, string> BindArgs(IEnumerable<AnalysisTemplate> templates, IEnumerable<KeyValuePair<string, string>> given)
    {
        List<AnalysisTemplate> all = templates.ToList();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (AnalysisArg arg in all.SelectMany(t => t.Args).Where(a => a.Value is not null))
        {
            values[arg.Name] = arg.Value!;
        }

        foreach (var (name, value) in given)
        {
            values[name] = value;
        }

        foreach (MetricSpec metric in all.SelectMany(t => t.Metrics))
        {
            Fill(metric.Prometheus.Query, values);
            Fill(metric.Prometheus.MinSamples?.Query ?? string.Empty, values);
        }

        return values;
    }

    /// <summary>Fills <c>{{args.NAME}}</c> in a query; every referenced arg must have a value.</summary>
    public static string Fill(string query, IReadOnlyDictionary<string, string> values) =>
        ArgReference().Replace(query, m => values.TryGetValue(m.Groups[1].Value, out string? value)
            ? value
            : throw new ArgumentException($"argument '{m.Groups[1].Value}' has no value: pass it with --arg {m.Groups[1].Value}=VALUE"));

    [GeneratedRegex(@"\{\{\s*args\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")]
    private static partial Regex ArgReference();
}
