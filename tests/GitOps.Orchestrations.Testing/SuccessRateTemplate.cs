namespace GitOps.Orchestrations.Testing;

/// <summary>
/// The AnalysisTemplate the scenarios judge releases by: the share of a service's requests that did
/// not fail, over the app <see cref="PrometheusServer"/> scrapes, with a minimum-sample guard.
/// </summary>
public static class SuccessRateTemplate
{
    public static string Yaml(string address, int count = 2, string interval = "1s", int minSamples = 10, int errorLimit = 1, int inconclusiveLimit = 0, string name = "success-rate") => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: AnalysisTemplate
        metadata: {name: {{{name}}}}
        spec:
          args: [{name: service}]
          metrics:
            - name: success-rate
              interval: {{{interval}}}
              count: {{{count}}}
              successCondition: "len(result) > 0 && result[0] >= 0.95"
              failureCondition: "len(result) > 0 && result[0] < 0.90"
              consecutiveErrorLimit: {{{errorLimit}}}
              inconclusiveLimit: {{{inconclusiveLimit}}}
              provider:
                prometheus:
                  address: {{{address}}}
                  timeout: 2s
                  query: sum(rate(http_requests_total{service="{{args.service}}",code!~"5.."}[10s])) / sum(rate(http_requests_total{service="{{args.service}}"}[10s]))
                  minSamples: {query: 'sum(increase(http_requests_total{service="{{args.service}}"}[10s]))', value: {{{minSamples}}}}
        """;
}
