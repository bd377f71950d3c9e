using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Planning;
using GitOps.Orchestrations.Core.Promotion;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>What the dashboard draws, worked out in Core: a workflow's graph and a pipeline's board.</summary>
public sealed class DashboardModelTests
{
    [Theory]
    [InlineData("a", new[] { "a" }, null)]
    [InlineData("a && b", new[] { "a", "b" }, null)]
    [InlineData("a && a", new[] { "a" }, null)]
    [InlineData("a.Succeeded || b.Failed", new[] { "a", "b" }, "a.Succeeded || b.Failed")]
    [InlineData("!a.Failed", new[] { "a" }, "!a.Failed")]
    [InlineData("(a || b) && c", new[] { "a", "b", "c" }, "(a || b) && c")]
    public void A_tasks_edges_are_the_tasks_its_depends_names_and_anything_beyond_a_plain_list_is_kept_as_its_condition(string depends, string[] edges, string? condition)
    {
        var workflow = new WorkflowDefinition
        {
            Name = "wf",
            Tasks = [new TaskSpec { Name = "a", Uses = "log" }, new TaskSpec { Name = "b", Uses = "log" }, new TaskSpec { Name = "c", Uses = "log" }, new TaskSpec { Name = "t", Uses = "log", Depends = depends }],
            OnExit = new TaskSpec { Name = "onExit", Uses = "log" },
        };
        IReadOnlyList<GraphNode> graph = WorkflowGraph.Of(workflow);
        GraphNode t = graph.Single(n => n.Name == "t");
        Assert.Equal(edges, t.Depends);
        Assert.Equal(condition, t.Condition);
        Assert.True(graph[^1].Exit);
        Assert.Empty(graph[^1].Depends);
        Assert.Equal(["a", "b", "c", "t", "onExit"], graph.Select(n => n.Name));
    }

    [Theory]
    [InlineData("0 0 * * 5", "2026-11-26T12:00:00Z", 7, "2026-11-27T00:00:00Z")]
    [InlineData("0 0 * * 5", "2026-11-27T00:00:00Z", 7, "2026-12-04T00:00:00Z")]
    [InlineData("0 0 * * 5", "2026-11-27T00:00:01Z", 6, null)]
    [InlineData("0 0 1 1 *", "2026-11-27T00:00:00Z", 7, null)]
    public void A_freeze_window_says_when_it_next_opens_within_a_horizon(string cron, string now, int days, string? expected)
    {
        DateTimeOffset? next = new FreezeWindow(cron, TimeSpan.FromHours(1)).NextOpening(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromDays(days));
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public void The_board_gives_each_stage_and_freight_its_state_and_for_freight_not_taken_the_gates_answer_now()
    {
        DateTimeOffset now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var pipeline = new PipelineDefinition
        {
            Name = "api",
            Sources = [],
            Stages =
            [
                new StageDefinition { Name = "dev", FromSources = true, Rules = new StageRules { AutoPromote = true } },
                new StageDefinition { Name = "staging", From = ["dev"], Rules = new StageRules { AutoPromote = true, RequiredSoakTime = TimeSpan.FromHours(2) } },
                new StageDefinition { Name = "audit", From = ["dev"], Rules = new StageRules { AutoPromote = true, Approval = new ApprovalPolicy(["alice", "rita"], Quorum: 2) } },
                new StageDefinition { Name = "prod", From = ["dev"], Rules = new StageRules { AutoPromote = true, FreezeWindows = [new FreezeWindow("0 11 * * *", TimeSpan.FromHours(3))] } },
            ],
        };
        var stages = new Dictionary<string, StageMemory>
        {
            ["dev"] = new("v2", new Dictionary<string, DateTimeOffset> { ["v1"] = now.AddDays(-1), ["v2"] = now.AddHours(-1) }, new HashSet<string> { "v0" }, new Dictionary<string, List<ApprovalRecord>>()),
            ["audit"] = new(null, new Dictionary<string, DateTimeOffset>(), new HashSet<string>(), new Dictionary<string, List<ApprovalRecord>>
            {
                ["v2"] = [new("approve", "alice", now.UtcDateTime, null), new("approve", "alice", now.UtcDateTime, null), new("reject", "rita", now.UtcDateTime, null)],
            }),
        };

        PipelineBoard board = PipelineBoards.Of(pipeline, ["v0", "v1", "v2", "v3"], stages, now);
        BoardCell Cell(string stage, string freight) => board.Cells.Single(c => c.Stage == stage && c.Freight == freight);

        Assert.Equal(CellState.Failed, Cell("dev", "v0").State);
        Assert.Equal(CellState.Verified, Cell("dev", "v1").State);
        Assert.Equal(CellState.Current, Cell("dev", "v2").State);
        Assert.Equal(CellState.Waiting, Cell("dev", "v3").State);
        Assert.Equal(GateState.Soaking, Cell("staging", "v2").Gate!.State);
        Assert.Equal(now.AddHours(1), Cell("staging", "v2").Gate!.Until);
        Assert.Equal(GateState.Promote, Cell("staging", "v1").Gate!.State);
        Assert.Equal(GateState.WaitForUpstream, Cell("staging", "v3").Gate!.State);
        Assert.Equal(["alice"], Cell("audit", "v2").ApprovedBy);
        Assert.Equal(GateState.WaitForApproval, Cell("audit", "v2").Gate!.State);
        Assert.Equal(GateState.Frozen, Cell("prod", "v1").Gate!.State);

        BoardStage prod = board.Stages.Single(s => s.Name == "prod");
        Assert.Equal(now.AddHours(2), prod.FrozenUntil);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 11, 0, 0, TimeSpan.Zero), prod.NextFreeze);
        Assert.Null(board.Stages.Single(s => s.Name == "dev").FrozenUntil);
    }
}
