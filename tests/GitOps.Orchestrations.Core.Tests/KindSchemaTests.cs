using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.TaskTypes;
using Json.Schema;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>
/// Every registered kind publishes a JSON Schema (docs/{kind}.schema.json) for editors, and the
/// schema agrees with the loader: the same envelope, the same spec fields, and every example the
/// project ships (workflows/ and the YAML in the docs) is valid under it.
/// </summary>
public sealed partial class KindSchemaTests
{
    static readonly string Root = Testing.RepositoryRoot.Path;

    /// <summary>Each schema read once: the library registers a schema by its $id and refuses a second registration.</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    public static TheoryData<string> Kinds() => [.. KindRegistry.Default.Names];

    static JsonDocument Schema(string kind) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "docs", $"{kind.ToLowerInvariant()}.schema.json")));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_kind_publishes_a_schema_of_its_envelope(string kind)
    {
        using JsonDocument schema = Schema(kind);
        JsonElement properties = schema.RootElement.GetProperty("properties");
        Assert.True(KindRegistry.Default.TryGet(kind, out IDocumentKind? registered));
        Assert.Equal(registered.ApiVersion, properties.GetProperty("apiVersion").GetProperty("const").GetString());
        Assert.Equal(kind, properties.GetProperty("kind").GetProperty("const").GetString());
        Assert.Equal(["apiVersion", "kind", "metadata", "spec"], schema.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_schema_names_exactly_the_spec_fields_the_loader_accepts(string kind)
    {
        using JsonDocument schema = Schema(kind);
        string[] fields = [.. schema.RootElement.GetProperty("properties").GetProperty("spec").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
        KindRegistry.Default.TryGet(kind, out IDocumentKind? registered);
        LoadResult loaded = DocumentLoader.Load("probe.yaml", $"apiVersion: {registered!.ApiVersion}\nkind: {kind}\nmetadata: {{name: probe}}\nspec: {{bogus: 1}}\n", TaskTypeRegistry.BuiltIn());
        string message = loaded.Diagnostics.Select(d => d.Message).Single(m => m.StartsWith("unknown field 'bogus' in spec", StringComparison.Ordinal));
        string allowed = message[(message.IndexOf("(allowed: ", StringComparison.Ordinal) + 10)..].TrimEnd(')');
        Assert.Equal(allowed.Split(", ").Order(StringComparer.Ordinal), fields);
    }

    [Fact]
    public void Every_example_the_project_ships_is_valid_under_its_kinds_schema()
    {
        var checkedKinds = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach ((string where, string yaml) in Examples())
        {
            var diagnostics = new List<Diagnostic>();
            foreach (YNode document in YamlTreeReader.Read(where, yaml, LoadLimits.Default, diagnostics))
            {
                int budget = LoadLimits.Default.MaxExpandedNodes;
                JsonElement json = YamlJson.ToJson(document, ref budget);
                if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("kind", out JsonElement kind) || !KindRegistry.Default.TryGet(kind.GetString() ?? string.Empty, out _))
                {
                    continue;
                }

                checkedKinds.Add(kind.GetString()!);
                JsonSchema schema = Schemas.GetOrAdd(kind.GetString()!, name => JsonSchema.FromFile(Path.Combine(Root, "docs", $"{name.ToLowerInvariant()}.schema.json")));
                EvaluationResults result = schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List });
                if (!result.IsValid)
                {
                    problems.Add($"{where} ({kind.GetString()} at line {document.Position.Line}): " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
                }
            }

            Assert.Empty(diagnostics);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(KindRegistry.Default.Names.Order(StringComparer.Ordinal), checkedKinds.Order(StringComparer.Ordinal));
    }

    /// <summary>The YAML files under workflows/ and policies/, and the fenced YAML blocks of the README and docs that are whole documents.</summary>
    static IEnumerable<(string Where, string Yaml)> Examples()
    {
        foreach (string file in new[] { "workflows", "policies" }.SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Root, folder), "*.yaml", SearchOption.AllDirectories)))
        {
            yield return (Path.GetRelativePath(Root, file), File.ReadAllText(file));
        }

        foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Append(Path.Combine(Root, "README.md")))
        {
            foreach (Match block in YamlBlock().Matches(File.ReadAllText(file)))
            {
                if (block.Groups[1].Value.StartsWith("apiVersion: gitops.orchestrations/v1", StringComparison.Ordinal) || block.Groups[1].Value.StartsWith("apiVersion: kyverno.io/v1", StringComparison.Ordinal))
                {
                    yield return (Path.GetRelativePath(Root, file), block.Groups[1].Value);
                }
            }
        }
    }

    [GeneratedRegex(@"^```yaml\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
