using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>What one stage is doing with one freight, as a cell of the stages × freight matrix.</summary>
public enum CellState
{
    /// <summary>The stage runs this freight now and has verified it.</summary>
    Current,

    /// <summary>The stage runs this freight now and has not verified it yet.</summary>
    Promoting,

    /// <summary>Verified here earlier; the stage has moved on.</summary>
    Verified,

    /// <summary>Promotion or verification failed here; never retried automatically.</summary>
    Failed,

    /// <summary>Not taken here; <see cref="BoardCell.Gate"/> says what it waits for.</summary>
    Waiting,
}

/// <param name="Gate">For a freight not yet taken: the stage gate's answer now (upstream, soak, approvals, freeze, request).</param>
/// <param name="ApprovedBy">The distinct people whose approval counts, against the stage's quorum.</param>
public sealed record BoardCell(string Stage, string Freight, CellState State, DateTimeOffset? VerifiedAt, GateDecision? Gate, IReadOnlyList<string> ApprovedBy);

/// <param name="FrozenUntil">When the freeze windows open now close; null when none is open.</param>
/// <param name="NextFreeze">When the next freeze window opens, within a week; null when none does.</param>
public sealed record BoardStage(string Name, IReadOnlyList<string> From, bool FromSources, TimeSpan RequiredSoakTime, ApprovalPolicy? Approval, IReadOnlyList<FreezeWindow> FreezeWindows, bool AutoPromote, DateTimeOffset? FrozenUntil, DateTimeOffset? NextFreeze);

/// <summary>A pipeline's stages × freight, as its status page draws it.</summary>
public sealed record PipelineBoard(IReadOnlyList<BoardStage> Stages, IReadOnlyList<BoardCell> Cells);

/// <summary>
/// What a stages × freight matrix shows, worked out from a pipeline's definition and what its
/// stages remember: the state of every cell, and for freight a stage has not taken, the same
/// <see cref="StageGate"/> decision the pipeline would make now. Pure: the caller passes "now".
/// </summary>
public static class PipelineBoards
{
    public static readonly TimeSpan FreezeHorizon = TimeSpan.FromDays(7);

    /// <param name="stages">Per stage: the freight it runs, verification times, failures and approval records.</param>
    public static PipelineBoard Of(PipelineDefinition pipeline, IReadOnlyList<string> freight, IReadOnlyDictionary<string, StageMemory> stages, DateTimeOffset now)
    {
        var cells = new List<BoardCell>();
        foreach (StageDefinition stage in pipeline.Stages)
        {
            StageMemory here = stages.GetValueOrDefault(stage.Name) ?? StageMemory.Empty;
            foreach (string id in freight)
            {
                List<string> approvedBy = here.Approvals.GetValueOrDefault(id)?.Where(r => r.Decision == "approve").Select(r => r.By).Distinct(StringComparer.Ordinal).ToList() ?? [];
                DateTimeOffset? verified = here.Verified.TryGetValue(id, out DateTimeOffset at) ? at : null;
                CellState state = here.Current == id
                    ? verified is null ? CellState.Promoting : CellState.Current
                    : here.Failed.Contains(id) ? CellState.Failed
                    : verified is not null ? CellState.Verified
                    : CellState.Waiting;
                GateDecision? gate = null;
                if (state == CellState.Waiting)
                {
                    var upstream = stage.From.ToDictionary(
                        u => u,
                        u => stages.GetValueOrDefault(u) is StageMemory up && up.Verified.TryGetValue(id, out DateTimeOffset when) ? (DateTimeOffset?)when : null,
                        StringComparer.Ordinal);
                    gate = StageGate.Decide(stage.Rules, new StageFacts(upstream, approvedBy, now));
                }

                cells.Add(new BoardCell(stage.Name, id, state, verified, gate, approvedBy));
            }
        }

        List<BoardStage> described = pipeline.Stages.Select(s => new BoardStage(
            s.Name,
            s.From,
            s.FromSources,
            s.Rules.RequiredSoakTime,
            s.Rules.Approval,
            s.Rules.FreezeWindows,
            s.Rules.AutoPromote,
            FreezeWindow.ClosedAfter(s.Rules.FreezeWindows, now),
            s.Rules.FreezeWindows.Select(w => w.NextOpening(now, FreezeHorizon)).Where(t => t is not null).Min())).ToList();
        return new PipelineBoard(described, cells);
    }
}

/// <summary>What a stage remembers that the board needs, whatever keeps it (the pipeline orchestration's state).</summary>
public sealed record StageMemory(string? Current, IReadOnlyDictionary<string, DateTimeOffset> Verified, IReadOnlySet<string> Failed, IReadOnlyDictionary<string, List<ApprovalRecord>> Approvals)
{
    public static readonly StageMemory Empty = new(null, new Dictionary<string, DateTimeOffset>(), new HashSet<string>(), new Dictionary<string, List<ApprovalRecord>>());
}
