using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Promotion;
using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Engine.Runs;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// Durable state that lives long stays bounded: a pipeline's state carried across continue-as-new
/// forgets what concerns freight it no longer keeps, and every published status fits one budget.
/// </summary>
public sealed class StatusBudgetTests
{
    static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    static Freight FreightNumber(int i) => new($"f{i:D6}", [new FreightArtifact("image", $"1.0.{i}", new string('p', 40))]);

    // A pipeline that ran for years: a thousand freight went through, each verified, some failed,
    // each approved by many people; only the newest twenty are still kept.
    static PipelineState LongLived()
    {
        var state = new PipelineState();
        state.Freight.AddRange(Enumerable.Range(980, 20).Select(FreightNumber));
        var stage = new StageState { Current = "f000005" };
        for (int i = 0; i < 1_000; i++)
        {
            string id = $"f{i:D6}";
            stage.Verified[id] = Now.AddHours(i);
            if (i % 3 == 0)
            {
                stage.Failed.Add(id);
            }

            stage.Approvals[id] = Enumerable.Range(0, 80).Select(p => new ApprovalRecord("approve", $"person{p}", Now, null)).ToList();
            stage.History.Add(new StageHistoryEntry(id, Now, "verified", $"run-{i}"));
            state.Requested.Add($"prod/{id}");
        }

        state.Stages["prod"] = stage;
        return state;
    }

    [Fact]
    public void A_pipeline_forgets_what_concerns_freight_it_no_longer_keeps_but_not_what_runs_now()
    {
        PipelineState state = LongLived();
        PipelineOrchestrator.Prune(state);

        StageState prod = state.Stages["prod"];
        var kept = state.Freight.Select(f => f.Id).Append("f000005").ToHashSet();
        Assert.Subset(kept, prod.Verified.Keys.ToHashSet());
        Assert.Equal(21, prod.Verified.Count);
        Assert.Subset(kept, prod.Failed.ToHashSet());
        Assert.Subset(kept, prod.Approvals.Keys.ToHashSet());
        Assert.All(prod.Approvals.Values, records => Assert.True(records.Count <= 50, $"{records.Count} approval records of one freight"));
        Assert.Equal(20, state.Requested.Count);
    }

    [Fact]
    public void A_pipeline_status_fits_the_budget_however_much_it_holds()
    {
        PipelineState state = LongLived();
        PipelineOrchestrator.Prune(state);
        var status = new PipelineStatus("api", Now, state.Freight, state.Stages);
        Assert.True(StatusBudget.Size(status) > StatusBudget.MaxBytes, "the case must need trimming");

        PipelineStatus published = PipelineOrchestrator.Budgeted(status);
        Assert.InRange(StatusBudget.Size(published), 1, StatusBudget.MaxBytes);
        Assert.Equal(state.Freight[^1].Id, published.Freight[^1].Id);
        Assert.Equal("f000005", published.Stages["prod"].Current);
    }

    [Fact]
    public void A_rollout_status_fits_the_budget_with_its_newest_events_and_measurements()
    {
        var status = new RolloutStatus
        {
            Rollout = "web",
            Strategy = "canary",
            Image = "nginx:1.27",
            Message = new string('m', 4_000),
            Events = Enumerable.Range(0, 200).Select(i => new RolloutEvent(Now.AddMinutes(i), $"event {i} " + new string('e', 300))).ToList(),
            EventCount = 200,
            Analyses = Enumerable.Range(0, 20).Select(a => new RolloutAnalysisRecord($"step-{a}", AnalysisPhase.Successful,
                Enumerable.Range(0, 50).Select(m => new Measurement(Now, "success-rate", MeasurementPhase.Successful, [0.99], new string('q', 200))).ToList())).ToList(),
        };
        Assert.True(StatusBudget.Size(status) > StatusBudget.MaxBytes, "the case must need trimming");

        RolloutStatus published = RolloutRun.Budgeted(status);
        Assert.InRange(StatusBudget.Size(published), 1, StatusBudget.MaxBytes);
        Assert.Equal("event 199", published.Events[^1].What[..9]);
        Assert.Equal(200, published.EventCount);
        Assert.Equal("step-19", published.Analyses[^1].Name);
    }
}
