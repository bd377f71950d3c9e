using System.Text.Json;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>
/// What promoting a freight into a stage runs: a workflow whose tasks are the stage's promotion
/// steps in order, then its verification analysis. The freight reaches the steps as params: for
/// each source NAME, <c>{{params.NAME}}</c> is its version and <c>{{params.NAME_pin}}</c> its digest
/// or commit; <c>{{params.freight}}</c> is the freight's id.
/// </summary>
public static class StageWorkflow
{
    public const string VerifyTask = "verify";

    public static WorkflowDefinition For(PipelineDefinition pipeline, StageDefinition stage)
    {
        var parameters = new List<ParamSpec> { new("freight", null, "the freight's id") };
        foreach (FreightSource source in pipeline.Sources)
        {
            parameters.Add(new ParamSpec(source.Name, null, $"the version of {source.Name}"));
            parameters.Add(new ParamSpec($"{source.Name}_pin", null, $"the digest or commit of {source.Name}"));
        }

        var tasks = new List<TaskSpec>();
        for (int i = 0; i < stage.Promotion.Count; i++)
        {
            tasks.Add(new TaskSpec { Name = $"promote-{i}", Uses = stage.Promotion[i].Uses, With = stage.Promotion[i].With, Depends = i == 0 ? null : $"promote-{i - 1}" });
        }

        if (stage.Verification?.Analysis is { } analysis)
        {
            tasks.Add(new TaskSpec
            {
                Name = VerifyTask,
                Uses = "analysis",
                Depends = tasks.Count == 0 ? null : tasks[^1].Name,
                With = JsonSerializer.SerializeToElement(new
                {
                    templates = analysis.Templates.Select(t => new { name = t }),
                    args = analysis.Args.Select(a => new { name = a.Name, value = a.Value }),
                }),
            });
        }

        return new WorkflowDefinition { Name = $"pipeline-{pipeline.Name}-{stage.Name}", Params = parameters, Tasks = tasks };
    }

    public static Dictionary<string, string> Params(Freight freight)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["freight"] = freight.Id };
        foreach (FreightArtifact artifact in freight.Artifacts)
        {
            values[artifact.Source] = artifact.Version;
            values[$"{artifact.Source}_pin"] = artifact.Pin;
        }

        return values;
    }
}
