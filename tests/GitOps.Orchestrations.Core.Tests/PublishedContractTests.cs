using System.Text.Json;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>What the project publishes (the JSON Schema, the status summary) must agree with the code.</summary>
public class PublishedContractTests
{
    static readonly string Root = Testing.RepositoryRoot.Path;

    [Fact]
    public void The_schema_lists_exactly_the_registered_task_types_and_their_fields()
    {
        using JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "docs", "workflow.schema.json")));
        JsonElement task = schema.RootElement.GetProperty("$defs").GetProperty("task");
        string[] uses = task.GetProperty("properties").GetProperty("uses").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order().ToArray();
        TaskTypeRegistry registry = TaskTypeRegistry.BuiltIn();
        Assert.Equal(registry.Names.Order(), uses);
        foreach (JsonElement rule in task.GetProperty("allOf").EnumerateArray())
        {
            string type = rule.GetProperty("if").GetProperty("properties").GetProperty("uses").GetProperty("const").GetString()!;
            string[] fields = rule.GetProperty("then").GetProperty("properties").GetProperty("with").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToArray();
            Assert.True(registry.TryGetSchema(type, out var taskSchema));
            Assert.Equal(taskSchema!.Fields.Keys.Order(), fields);
        }
    }

    [Fact]
    public void The_schema_names_every_task_field_the_loader_accepts()
    {
        using JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "docs", "workflow.schema.json")));
        string[] fields = schema.RootElement.GetProperty("$defs").GetProperty("task").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToArray();
        string error = Assert.Single(Load.Errors(Load.Workflow("    - {name: a, uses: log, with: {message: x}, bogus: 1}\n")));
        string allowed = error[(error.IndexOf("(allowed: ", StringComparison.Ordinal) + 10)..].TrimEnd(')');
        Assert.Equal(allowed.Split(", ").Order(), fields);
    }

    [Fact]
    public void Architecture_table_matches_the_project_references()
    {
        string doc = File.ReadAllText(Path.Combine(Root, "docs", "architecture.md"));
        string table = doc[(doc.IndexOf("project      depends on", StringComparison.Ordinal) + 23)..];
        table = table[..table.IndexOf("```", StringComparison.Ordinal)];
        Dictionary<string, string[]> documented = table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(
                parts => parts[0],
                parts => parts[1].StartsWith('(') ? [] : parts[1].Split(", ").Order(StringComparer.Ordinal).ToArray());
        Dictionary<string, string[]> actual = Directory.EnumerateDirectories(Path.Combine(Root, "src")).SelectMany(project => Directory.EnumerateFiles(project, "*.csproj"))
            .ToDictionary(
                file => Path.GetFileNameWithoutExtension(file)["GitOps.Orchestrations.".Length..],
                file => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), @"ProjectReference Include=""[^""]*GitOps\.Orchestrations\.(\w+)\.csproj""")
                    .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(actual.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        Assert.All(actual, project => Assert.Equal(project.Value, documented[project.Key]));
    }

    [Fact]
    public void The_status_summary_stays_under_the_custom_status_limit()
    {
        var nodes = Enumerable.Range(0, 2000)
            .Select(i => new NodeStatus { Name = $"task-with-a-long-name-{i}", Phase = i % 7 == 0 ? NodePhase.Running : NodePhase.Succeeded, Message = new string('m', 300), Attempts = 1 })
            .ToList();
        var gate = new PendingGate { Node = "gate", Policy = new ApprovalPolicy(["alice", "group:sre"], Quorum: 2) };
        RunSummary summary = RunSummary.Create("wf", "abc", WorkflowPhase.Running, nodes, [gate], seq: 7);
        Assert.True(JsonSerializer.SerializeToUtf8Bytes(summary).Length <= 16 * 1024);
        Assert.True(summary.Truncated > 0);
        Assert.Equal(2000, summary.Counts.Values.Sum());
        Assert.All(summary.Nodes.Take(10), n => Assert.Equal(NodePhase.Running, n.Phase));
        Assert.Equal(["gate"], summary.Waiting);
        Assert.Equal(2, Assert.Single(summary.Gates).Policy.Quorum);
        Assert.Equal(7, summary.Seq);
    }

    [Fact]
    public void A_summary_too_large_keeps_the_latest_changes_so_watchers_see_them_live()
    {
        // 1,000 finished nodes, changed in order; then one early node changes again (a gate decided).
        var nodes = Enumerable.Range(0, 1000)
            .Select(i => new NodeStatus { Name = $"task-{i}", Phase = NodePhase.Succeeded, Attempts = 1, Message = new string('m', 40), Seq = i + 1 })
            .ToList();
        nodes[3].Seq = 1001;
        RunSummary summary = RunSummary.Create("wf", "abc", WorkflowPhase.Running, nodes, [], seq: 1001);
        Assert.True(summary.Truncated > 0);
        Assert.Contains(summary.Nodes, n => n.Name == "task-3");
        Assert.Contains(summary.Nodes, n => n.Name == "task-999");
        Assert.DoesNotContain(summary.Nodes, n => n.Name == "task-0");
        Assert.Equal(summary.Nodes.OrderBy(n => int.Parse(n.Name[5..], System.Globalization.CultureInfo.InvariantCulture)).Select(n => n.Name), summary.Nodes.Select(n => n.Name));
    }

    [Theory]
    [InlineData(NodePhase.Running)]
    [InlineData(NodePhase.Failed)]
    [InlineData(NodePhase.Errored)]
    public void A_summary_too_large_keeps_running_and_failed_nodes_however_long_ago_they_changed(NodePhase phase)
    {
        var nodes = Enumerable.Range(0, 1000)
            .Select(i => new NodeStatus { Name = $"task-{i}", Phase = NodePhase.Succeeded, Attempts = 1, Message = new string('m', 40), Seq = i + 1 })
            .ToList();
        nodes[1].Phase = phase;
        nodes[2].Phase = NodePhase.Running;
        RunSummary summary = RunSummary.Create("wf", "abc", WorkflowPhase.Running, nodes, [], seq: 1000);
        Assert.True(summary.Truncated > 0);
        Assert.Equal(["task-1", "task-2"], summary.Nodes.Take(2).Select(n => n.Name));
        Assert.Contains(summary.Nodes, n => n.Name == "task-999");
        Assert.DoesNotContain(summary.Nodes, n => n.Name == "task-3");
    }

    [Fact]
    public void Outputs_are_left_out_before_any_node_is()
    {
        var nodes = Enumerable.Range(0, 40)
            .Select(i => new NodeStatus { Name = $"t{i}", Phase = NodePhase.Succeeded, Attempts = 1, Outputs = new(StringComparer.Ordinal) { ["body"] = JsonSerializer.SerializeToElement(new string('x', 1000)) } })
            .ToList();
        RunSummary summary = RunSummary.Create("wf", "abc", WorkflowPhase.Running, nodes, [], seq: 1);
        Assert.True(JsonSerializer.SerializeToUtf8Bytes(summary).Length <= 16 * 1024);
        Assert.True(summary.OutputsOmitted);
        Assert.Equal(0, summary.Truncated);
        Assert.All(summary.Nodes, n => Assert.Null(n.Outputs));

        RunSummary small = RunSummary.Create("wf", "abc", WorkflowPhase.Running, nodes.Take(3).ToList(), [], seq: 1);
        Assert.False(small.OutputsOmitted);
        Assert.All(small.Nodes, n => Assert.Equal(1000, n.Outputs!["body"].GetString()!.Length));
    }

    [Fact]
    public void A_summary_that_fits_keeps_every_node_in_order_and_its_estimate_is_an_upper_bound()
    {
        var nodes = Enumerable.Range(0, 50)
            .Select(i => new NodeStatus { Name = $"t{i}", Phase = NodePhase.Succeeded, Attempts = 1, StartedAt = DateTime.UtcNow, FinishedAt = DateTime.UtcNow, Message = i % 2 == 0 ? "3/3 items \"ok\"" : null, Items = i % 2 == 0 ? new FanOutSummary(3, 3, 0, 0, 0) : null })
            .ToList();
        RunSummary summary = RunSummary.Create("wf", "abc", WorkflowPhase.Running, nodes, [], seq: 1);
        Assert.Equal(0, summary.Truncated);
        Assert.Equal(nodes.Select(n => n.Name), summary.Nodes.Select(n => n.Name));
        Assert.All(summary.Nodes, n => Assert.True(JsonSerializer.SerializeToUtf8Bytes(n).Length <= n.EstimatedBytes));
    }

    [Fact]
    public void Every_shipped_workflow_loads()
    {
        // Recursive, as a run reads its folder from Git: the templates are in workflows/templates.
        var files = Directory.GetFiles(Path.Combine(Root, "workflows"), "*.yaml", SearchOption.AllDirectories).Select(f => new SourceFile(f, File.ReadAllBytes(f)));
        WorkflowCatalog catalog = WorkflowCatalog.Load(files, TaskTypeRegistry.BuiltIn());
        Assert.Empty(catalog.Diagnostics);
        Assert.NotEmpty(catalog.Workflows);
        Assert.NotEmpty(catalog.Rollouts);
        Assert.NotEmpty(catalog.AnalysisTemplates);
    }
}
