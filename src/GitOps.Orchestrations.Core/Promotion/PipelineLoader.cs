using System.Text.Json;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Triggers;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>
/// Reads <c>kind: Pipeline</c> documents with a <c>file:line:col</c> diagnostic for each problem: a
/// source that is not exactly one kind, a version constraint or cron that does not parse, an
/// unknown promotion step, a stage taking freight from a stage that does not exist, stages feeding
/// each other in a cycle, a quorum larger than the named approvers.
/// </summary>
public static class PipelineLoader
{
    public const string Kind = "Pipeline";

    /// <summary>Reads the spec of a Pipeline whose envelope has been read; null when it has errors.</summary>
    public static PipelineDefinition? Read(KindReader reader)
    {
        string file = reader.File;
        string name = reader.Name;
        ITaskTypeCatalog taskTypes = reader.TaskTypes;
        List<Diagnostic> diagnostics = reader.Diagnostics;
        int before = diagnostics.Count;
        MappingReader spec = reader.Spec;

        var sources = new List<FreightSource>();
        if (spec.Node("sources", required: true) is YNode sourceList)
        {
            foreach (YNode item in Items(spec, sourceList, "sources", "a source"))
            {
                if (ReadSource(file, item, diagnostics) is FreightSource source)
                {
                    if (sources.Any(s => s.Name == source.Name))
                    {
                        spec.Error(item.Position, $"source '{source.Name}' is defined twice");
                    }

                    sources.Add(source);
                }
            }
        }

        var stages = new List<(StageDefinition Stage, YNode Node)>();
        if (spec.Node("stages", required: true) is YNode stageList)
        {
            foreach (YNode item in Items(spec, stageList, "stages", "a stage"))
            {
                if (ReadStage(reader, item) is StageDefinition stage)
                {
                    if (stages.Any(s => s.Stage.Name == stage.Name))
                    {
                        spec.Error(item.Position, $"stage '{stage.Name}' is defined twice");
                    }

                    stages.Add((stage, item));
                }
            }
        }

        IReadOnlyList<Notifications.SubscriptionSpec> notifications = Loading.NotificationReader.Read(file, spec.Node("notifications"), diagnostics);
        spec.RejectUnknown();
        CheckStageGraph(spec, stages);
        return diagnostics.Count == before
            ? new PipelineDefinition { Name = name, At = reader.Position, Sources = sources, Stages = stages.Select(s => s.Stage).ToList(), Notifications = notifications }
            : null;
    }

    static IEnumerable<YNode> Items(MappingReader parent, YNode node, string field, string what)
    {
        if (node is YSequence { Items.Count: > 0 } sequence)
        {
            return sequence.Items;
        }

        parent.Error(node.Position, $"{field} must list at least one {what[(what.IndexOf(' ') + 1)..]}");
        return [];
    }

    static FreightSource? ReadSource(string file, YNode node, List<Diagnostic> diagnostics)
    {
        if (MappingReader.For(file, node, "a source", diagnostics) is not MappingReader source)
        {
            return null;
        }

        string? name = source.String("name", required: true);
        HelmRepositorySource? helm = null;
        GitTagsSource? tags = null;
        if (MappingReader.For(file, source.Node("helmRepository"), "helmRepository", diagnostics) is MappingReader repository)
        {
            string? url = repository.String("url", required: true);
            string? chart = repository.String("chart", required: true);
            string? version = Constraint(repository, "version", required: true);
            repository.RejectUnknown();
            helm = url is not null && chart is not null && version is not null ? new HelmRepositorySource(url, chart, version) : null;
        }

        if (MappingReader.For(file, source.Node("gitTags"), "gitTags", diagnostics) is MappingReader git)
        {
            string? repo = git.String("repo", required: true);
            string pattern = git.String("pattern") ?? PipelineDefaults.TagPattern;
            string? semver = Constraint(git, "semver", required: false);
            git.RejectUnknown();
            tags = repo is not null ? new GitTagsSource(repo, pattern, semver) : null;
        }

        if (source.Mapping["helmRepository"] is not null == source.Mapping["gitTags"] is not null)
        {
            source.Error(source.Mapping.Position, "a source has exactly one of helmRepository or gitTags");
        }

        source.RejectUnknown();
        return name is null ? null : new FreightSource { Name = name, HelmRepository = helm, GitTags = tags };
    }

    static string? Constraint(MappingReader reader, string field, bool required)
    {
        string? text = reader.String(field, required);
        if (text is not null && !VersionConstraint.TryParse(text, out _, out string? error))
        {
            reader.Error(reader.PositionOf(field)!.Value, error!);
            return null;
        }

        return text;
    }

    static StageDefinition? ReadStage(KindReader reader, YNode node)
    {
        string file = reader.File;
        List<Diagnostic> diagnostics = reader.Diagnostics;
        if (MappingReader.For(file, node, "a stage", diagnostics) is not MappingReader stage)
        {
            return null;
        }

        string? name = stage.String("name", required: true);
        bool fromSources = false;
        var from = new List<string>();
        switch (stage.Node("from", required: true))
        {
            case YScalar { Value: "sources" }:
                fromSources = true;
                break;
            case YSequence upstream when upstream.Items.Count > 0 && upstream.Items.All(i => i is YScalar):
                from.AddRange(upstream.Items.Cast<YScalar>().Select(s => s.Value));
                break;
            case YNode other:
                stage.Error(other.Position, "from is 'sources' or a list of upstream stages, such as [dev]");
                break;
        }

        var steps = new List<PromotionStep>();
        switch (stage.Node("promotion", required: true))
        {
            case YMapping single:
                steps.AddIfNotNull(ReadStep(reader, single));
                break;
            case YSequence { Items.Count: > 0 } list:
                foreach (YNode item in list.Items)
                {
                    steps.AddIfNotNull(ReadStep(reader, item));
                }

                break;
            case YNode other:
                stage.Error(other.Position, "promotion is a step {uses, with} or a list of them");
                break;
        }

        StageVerification? verification = null;
        if (MappingReader.For(file, stage.Node("verification"), "verification", diagnostics) is MappingReader verify)
        {
            Rollouts.AnalysisReference? analysis = verify.Node("analysis") is YNode analysisNode ? RolloutAnalysis(file, analysisNode, diagnostics) : null;
            verification = new StageVerification(analysis, verify.Boolean("health") ?? PipelineDefaults.VerifyHealth);
            verify.RejectUnknown();
        }

        var rules = new StageRules
        {
            AutoPromote = stage.Boolean("autoPromote") ?? PipelineDefaults.AutoPromote,
            RequiredSoakTime = stage.Duration("requiredSoakTime") ?? PipelineDefaults.RequiredSoakTime,
            Approval = stage.Node("approval") is YNode approvalNode ? ReadApproval(file, approvalNode, diagnostics) : null,
            FreezeWindows = ReadFreezeWindows(file, stage, diagnostics),
        };
        stage.RejectUnknown();
        return name is null ? null : new StageDefinition { Name = name, FromSources = fromSources, From = from, Promotion = steps, Verification = verification, Rules = rules };
    }

    static void AddIfNotNull<T>(this List<T> list, T? item)
        where T : class
    {
        if (item is not null)
        {
            list.Add(item);
        }
    }

    static PromotionStep? ReadStep(KindReader reader, YNode node)
    {
        ITaskTypeCatalog taskTypes = reader.TaskTypes;
        if (MappingReader.For(reader.File, node, "a promotion step", reader.Diagnostics) is not MappingReader step)
        {
            return null;
        }

        string? uses = step.String("uses", required: true);
        // Through the document's one budget, so an alias bomb here is refused as it is in a workflow.
        JsonElement? with = step.Node("with") is YNode withNode ? reader.Json(withNode) : null;
        step.Node("name");
        step.RejectUnknown();
        // A promotion step is a task type, so a stage promotes with what workflows use: sync, git-commit, helm-publish, http, ...
        // (not a template call, which needs a task's templateRef).
        if (uses is not null && (!taskTypes.TryGetSchema(uses, out _) || uses == Loading.WorkflowKind.TemplateTaskType))
        {
            step.Error(step.PositionOf("uses")!.Value, $"unknown promotion step '{uses}' (known: {string.Join(", ", taskTypes.Names.Where(n => n != Loading.WorkflowKind.TemplateTaskType).Order(StringComparer.Ordinal))})");
            return null;
        }

        return uses is null ? null : new PromotionStep(uses, with);
    }

    // A verification analysis is written as a rollout's analysis step is.
    static Rollouts.AnalysisReference? RolloutAnalysis(string file, YNode node, List<Diagnostic> diagnostics) =>
        Rollouts.RolloutLoader.ReadAnalysis(file, node, "analysis", diagnostics, background: false);

    static ApprovalPolicy? ReadApproval(string file, YNode node, List<Diagnostic> diagnostics)
    {
        if (MappingReader.For(file, node, "approval", diagnostics) is not MappingReader approval)
        {
            return null;
        }

        ApprovalPolicy policy = ApprovalPolicyReader.Read(approval);
        approval.RejectUnknown();
        return policy;
    }

    static List<FreezeWindow> ReadFreezeWindows(string file, MappingReader stage, List<Diagnostic> diagnostics)
    {
        var windows = new List<FreezeWindow>();
        if (stage.Node("freezeWindows") is not YNode node)
        {
            return windows;
        }

        if (node is not YSequence list)
        {
            stage.Error(node.Position, "freezeWindows is a list of {cron, duration, timezone}");
            return windows;
        }

        foreach (YNode item in list.Items)
        {
            if (MappingReader.For(file, item, "a freeze window", diagnostics) is not MappingReader window)
            {
                continue;
            }

            (string? cron, string? timezone) = CalendarReader.Read(window);
            TimeSpan? duration = window.Duration("duration");
            if (window.PositionOf("duration") is null)
            {
                window.Error(window.Mapping.Position, "a freeze window is missing required field 'duration'");
            }

            window.RejectUnknown();
            if (cron is not null && timezone is not null && duration is TimeSpan length)
            {
                windows.Add(new FreezeWindow(cron, length, timezone));
            }
        }

        return windows;
    }

    static void CheckStageGraph(MappingReader spec, List<(StageDefinition Stage, YNode Node)> stages)
    {
        var names = stages.Select(s => s.Stage.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (stage, node) in stages)
        {
            foreach (string upstream in stage.From.Where(u => !names.Contains(u)))
            {
                spec.Error(node.Position, $"stage '{stage.Name}' takes freight from '{upstream}', which is not a stage of this pipeline");
            }
        }

        if (stages.Count > 0 && !stages.Any(s => s.Stage.FromSources))
        {
            spec.Error(spec.Mapping.Position, "no stage takes freight from sources, so nothing would ever arrive");
        }

        var edges = stages.ToDictionary(s => s.Stage.Name, s => (IReadOnlyList<string>)s.Stage.From.Where(names.Contains).ToList(), StringComparer.Ordinal);
        if (WorkflowValidator.FindCycle(edges) is { } cycle)
        {
            spec.Error(stages.First(s => s.Stage.Name == cycle[0]).Node.Position, $"stages take freight from each other in a cycle: {string.Join(" -> ", cycle)}");
        }
    }
}
