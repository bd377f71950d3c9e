using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Tests;

public sealed class AnalysisTests
{
    const string Template = """
        apiVersion: gitops.orchestrations/v1
        kind: AnalysisTemplate
        metadata: {name: success-rate}
        spec:
          args: [{name: service}]
          metrics:
            - name: success-rate
              interval: 1m
              count: 5
              initialDelay: 30s
              successCondition: "len(result) > 0 && result[0] >= 0.95"
              failureCondition: "len(result) > 0 && result[0] < 0.90"
              failureLimit: 1
              inconclusiveLimit: 1
              consecutiveErrorLimit: 3
              provider:
                prometheus:
                  address: http://127.0.0.1:9090
                  query: sum(rate(ok{service="{{args.service}}"}[1m])) / sum(rate(all{service="{{args.service}}"}[1m]))
                  minSamples: {query: 'sum(increase(all{service="{{args.service}}"}[5m]))', value: 100}
        """;

    static MetricSpec Metric(string? success = "result[0] >= 0.95", string? failure = "result[0] < 0.90", int? count = 5, int failureLimit = 1, int inconclusiveLimit = 1, int errorLimit = 3) => new()
    {
        Name = "m",
        Interval = TimeSpan.FromSeconds(1),
        Count = count,
        SuccessCondition = success,
        FailureCondition = failure,
        FailureLimit = failureLimit,
        InconclusiveLimit = inconclusiveLimit,
        ConsecutiveErrorLimit = errorLimit,
        Prometheus = new PrometheusMetric { Address = "http://x", Query = "q", MinSamples = new MinSamples("g", 100) },
    };

    [Fact]
    public void The_issue_example_loads_with_every_field()
    {
        var diagnostics = new List<Diagnostic>();
        AnalysisTemplate template = Assert.Single(AnalysisTemplateLoader.Load("t.yaml", Template, diagnostics));
        Assert.Empty(diagnostics);
        MetricSpec metric = Assert.Single(template.Metrics);
        Assert.Equal((TimeSpan.FromMinutes(1), 5, TimeSpan.FromSeconds(30), 1, 1, 3), (metric.Interval!.Value, metric.Count!.Value, metric.InitialDelay, metric.FailureLimit, metric.InconclusiveLimit, metric.ConsecutiveErrorLimit));
        Assert.Equal(100, metric.Prometheus.MinSamples!.Value);
        Assert.Equal("sum(rate(ok{service=\"api\"}[1m])) / sum(rate(all{service=\"api\"}[1m]))", AnalysisTemplateLoader.Fill(metric.Prometheus.Query, new Dictionary<string, string> { ["service"] = "api" }));
    }

    [Fact]
    public void Problems_are_positioned_an_unknown_provider_is_an_error_and_undeclared_args_are_caught()
    {
        const string broken = """
            apiVersion: gitops.orchestrations/v1
            kind: AnalysisTemplate
            metadata: {name: broken}
            spec:
              args: [{name: service}]
              metrics:
                - name: rate
                  successCondition: "result[0] >= "
                  provider:
                    datadog: {}
                    prometheus:
                      address: http://127.0.0.1:9090
                      query: up{region="{{args.region}}"}
            """;
        var diagnostics = new List<Diagnostic>();
        Assert.Empty(AnalysisTemplateLoader.Load("t.yaml", broken, diagnostics));
        string[] lines = diagnostics.Select(d => d.ToString()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("t.yaml:8:", StringComparison.Ordinal) && l.Contains("successCondition", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("t.yaml:10:", StringComparison.Ordinal) && l.EndsWith("unknown provider 'datadog' (known: prometheus)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("uses args.region, which spec.args does not declare", StringComparison.Ordinal));
    }

    [Fact]
    public void Templates_beside_workflows_are_checked_by_validate_and_are_not_workflows()
    {
        var loaded = Loading.DocumentLoader.Load("t.yaml", Template, Engine.TaskTypes.TaskTypeRegistry.BuiltIn());
        Assert.Empty(loaded.Diagnostics);
        Assert.Empty(loaded.Workflows);
        var broken = Loading.DocumentLoader.Load("t.yaml", Template.Replace("count: 5", "count: 0", StringComparison.Ordinal), Engine.TaskTypes.TaskTypeRegistry.BuiltIn());
        Assert.Contains(broken.Diagnostics, d => d.ToString().StartsWith("t.yaml:9:", StringComparison.Ordinal));
    }

    [Fact]
    public void An_argument_without_a_value_is_an_error_naming_the_flag()
    {
        var error = Assert.Throws<ArgumentException>(() => AnalysisTemplateLoader.Fill("x{service=\"{{args.service}}\"}", new Dictionary<string, string>()));
        Assert.Contains("--arg service=VALUE", error.Message);
    }

    [Theory]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"0.99"]},{"metric":{"a":"2"},"value":[1,"NaN"]}]}}""", "[0.99, NaN]")]
    [InlineData("""{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}""", "[+Inf]")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"2"]]},{"metric":{},"values":[[1,"3"]]}]}}""", "[1, 2, 3]")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[]}}""", "[]")]
    public void Prometheus_results_become_a_list_of_numbers(string body, string expected)
    {
        IReadOnlyList<double> values = PrometheusResult.Parse(body);
        Assert.Equal(expected, new Measurement(DateTimeOffset.UnixEpoch, "m", MeasurementPhase.Successful, values, "q").ValueText);
    }

    [Fact]
    public void A_prometheus_error_is_reported_with_its_type()
    {
        var error = Assert.Throws<FormatException>(() => PrometheusResult.Parse("""{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"""));
        Assert.Equal("Prometheus refused the query (bad_data): parse error at char 5", error.Message);
    }

    [Theory]
    [InlineData(new[] { 0.99 }, MeasurementPhase.Successful)]
    [InlineData(new[] { 0.85 }, MeasurementPhase.Failed)]
    [InlineData(new[] { 0.92 }, MeasurementPhase.Inconclusive)]
    [InlineData(new double[0], MeasurementPhase.Inconclusive)]
    [InlineData(new[] { double.NaN }, MeasurementPhase.Inconclusive)]
    [InlineData(new[] { double.PositiveInfinity }, MeasurementPhase.Inconclusive)]
    public void Measurements_follow_argo_and_no_data_is_never_a_success(double[] result, MeasurementPhase expected)
    {
        Assert.Equal(expected, MeasurementJudge.Judge(Metric(), result, guard: [500]).Phase);
    }

    [Fact]
    public void With_one_condition_the_other_is_its_negation_and_with_none_data_succeeds()
    {
        Assert.Equal(MeasurementPhase.Failed, MeasurementJudge.Judge(Metric(failure: null), [0.92]).Phase);
        Assert.Equal(MeasurementPhase.Successful, MeasurementJudge.Judge(Metric(success: null), [0.92]).Phase);
        Assert.Equal(MeasurementPhase.Successful, MeasurementJudge.Judge(Metric(success: null, failure: null), [0.1]).Phase);
        Assert.Equal(MeasurementPhase.Inconclusive, MeasurementJudge.Judge(Metric(success: null, failure: null), []).Phase);
    }

    [Fact]
    public void Too_little_traffic_is_inconclusive_even_when_the_value_looks_perfect()
    {
        (MeasurementPhase phase, string? message) = MeasurementJudge.Judge(Metric(), [1.0], guard: [42]);
        Assert.Equal(MeasurementPhase.Inconclusive, phase);
        Assert.Equal("minimum-sample guard: 42 < 100", message);
        Assert.Equal(MeasurementPhase.Inconclusive, MeasurementJudge.Judge(Metric(), [1.0], guard: []).Phase);
    }

    static Measurement M(MeasurementPhase phase) => new(DateTimeOffset.UnixEpoch, "m", phase, [], "q");

    [Fact]
    public void Limits_decide_the_metric_phase()
    {
        MetricSpec metric = Metric(count: 3);
        Assert.Equal(AnalysisPhase.Running, MetricAssessment.Assess(metric, [M(MeasurementPhase.Failed)]));
        Assert.Equal(AnalysisPhase.Failed, MetricAssessment.Assess(metric, [M(MeasurementPhase.Failed), M(MeasurementPhase.Failed)]));
        Assert.Equal(AnalysisPhase.Inconclusive, MetricAssessment.Assess(metric, [M(MeasurementPhase.Inconclusive), M(MeasurementPhase.Inconclusive)]));
        Assert.Equal(AnalysisPhase.Successful, MetricAssessment.Assess(metric, [M(MeasurementPhase.Successful), M(MeasurementPhase.Inconclusive), M(MeasurementPhase.Successful)]));
        Assert.Equal(AnalysisPhase.Running, MetricAssessment.Assess(metric, [.. Enumerable.Repeat(M(MeasurementPhase.Error), 3)]));
        Assert.Equal(AnalysisPhase.Failed, MetricAssessment.Assess(metric, [.. Enumerable.Repeat(M(MeasurementPhase.Error), 4)]));
        Assert.Equal(AnalysisPhase.Running, MetricAssessment.Assess(metric, [M(MeasurementPhase.Error), M(MeasurementPhase.Error), M(MeasurementPhase.Successful), M(MeasurementPhase.Error)]));
    }

    [Fact]
    public void The_analysis_is_as_bad_as_its_worst_metric()
    {
        Assert.Equal(AnalysisPhase.Failed, MetricAssessment.Combine([AnalysisPhase.Successful, AnalysisPhase.Failed, AnalysisPhase.Inconclusive]));
        Assert.Equal(AnalysisPhase.Inconclusive, MetricAssessment.Combine([AnalysisPhase.Successful, AnalysisPhase.Inconclusive, AnalysisPhase.Running]));
        Assert.Equal(AnalysisPhase.Running, MetricAssessment.Combine([AnalysisPhase.Successful, AnalysisPhase.Running]));
        Assert.Equal(AnalysisPhase.Successful, MetricAssessment.Combine([AnalysisPhase.Successful]));
    }
}
