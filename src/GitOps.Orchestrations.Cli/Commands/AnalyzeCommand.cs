using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Orchestrations.Analysis;
using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops analyze TEMPLATE_FILE</c>: runs an AnalysisTemplate against a Prometheus and prints
/// every measurement and the final phase, so people can test their queries before a release.
/// Exit code: 0 Successful, 1 Failed, 3 Inconclusive, 2 a usage or template error.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Create()
    {
        Argument<string> file = new("template") { Description = "A YAML file holding an AnalysisTemplate (the first one is run)" };
        Option<string[]> args = new("--arg") { Description = "A template argument, name=value (repeatable)" };
        Option<string?> prometheus = new("--prometheus") { Description = "Use this Prometheus instead of each metric's address" };
        Option<bool> once = new("--once") { Description = "One measurement per metric, skipping initialDelay and interval" };
        Option<string> output = new("--output", "-o") { Description = "text or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        Command command = new("analyze", "Run an AnalysisTemplate against Prometheus and print every measurement") { file, args, prometheus, once, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"error: no such file: {path}");
                return ExitCodes.Usage;
            }

            LoadResult loaded = DocumentLoader.Load(path, File.ReadAllBytes(path), TaskTypeRegistry.BuiltIn());
            IReadOnlyList<Diagnostic> diagnostics = loaded.Diagnostics;
            IReadOnlyList<AnalysisTemplate> templates = loaded.AnalysisTemplates;
            foreach (Diagnostic diagnostic in diagnostics)
            {
                Console.Error.WriteLine(diagnostic);
            }

            if (diagnostics.Count > 0 || templates.Count == 0)
            {
                Console.Error.WriteLine(templates.Count == 0 && diagnostics.Count == 0 ? $"error: {path} holds no AnalysisTemplate" : $"{diagnostics.Count} problem(s) in {path}");
                return ExitCodes.Usage;
            }

            AnalysisTemplate template = templates[0];
            if (parse.GetValue(prometheus) is string address)
            {
                template = template with { Metrics = template.Metrics.Select(m => m with { Prometheus = m.Prometheus with { Address = address } }).ToList() };
            }

            var given = new List<KeyValuePair<string, string>>();
            foreach (string pair in parse.GetValue(args) ?? [])
            {
                int equals = pair.IndexOf('=');
                if (equals <= 0)
                {
                    Console.Error.WriteLine($"error: --arg takes name=value, not '{pair}'");
                    return ExitCodes.Usage;
                }

                given.Add(KeyValuePair.Create(pair[..equals], pair[(equals + 1)..]));
            }

            Dictionary<string, string> values;
            try
            {
                values = AnalysisTemplateLoader.BindArgs([template], given);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            bool json = parse.GetValue(output) == "json";
            using var http = new HttpClient();
            var run = new AnalysisRun(MetricProviderFactory.Create("prometheus", http), TimeProvider.System);
            AnalysisOutcome outcome = await run.RunAsync(template, values, parse.GetValue(once), measurement =>
            {
                if (!json)
                {
                    Console.WriteLine($"{measurement.At:yyyy-MM-ddTHH:mm:ssZ}  {measurement.Metric}  {measurement.Phase,-12}  {measurement.ValueText}  {measurement.Message ?? string.Empty}");
                    Console.WriteLine($"    {measurement.Query}");
                }
            }, cancellationToken);

            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    template = template.Name,
                    phase = outcome.Phase,
                    metrics = outcome.Metrics,
                    measurements = outcome.Measurements.Select(m => new { at = m.At, metric = m.Metric, phase = m.Phase, value = m.ValueText, query = m.Query, message = m.Message }),
                }, CliJson.Output));
            }
            else
            {
                Console.WriteLine($"{template.Name}: {outcome.Phase} ({string.Join(", ", outcome.Metrics.Select(m => $"{m.Key} {m.Value}"))})");
            }

            return outcome.Phase switch
            {
                AnalysisPhase.Successful => ExitCodes.Succeeded,
                AnalysisPhase.Inconclusive => ExitCodes.Inconclusive,
                _ => ExitCodes.Failed,
            };
        });
        return command;
    }
}
