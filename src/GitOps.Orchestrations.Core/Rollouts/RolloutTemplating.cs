using System.Text.Json;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary>
/// Fills <c>{{params.NAME}}</c> in the parts of a rollout that vary between releases: the image,
/// the container, the target, and analysis argument values. A param the run lacks is a
/// <see cref="TemplateException"/>, before anything touches the cluster.
/// </summary>
public static class RolloutTemplating
{
    public static RolloutDefinition Fill(RolloutDefinition rollout, IReadOnlyDictionary<string, string> parameters)
    {
        var scope = new ParamsScope(parameters);
        string Render(string text) => Template.Render(text, scope);
        AnalysisReference? Args(AnalysisReference? analysis) =>
            analysis is null ? null : analysis with { Args = analysis.Args.Select(a => a with { Value = Render(a.Value) }).ToList() };

        return rollout with
        {
            Image = Render(rollout.Image),
            Container = rollout.Container is null ? null : Render(rollout.Container),
            Target = rollout.Target with
            {
                Name = Render(rollout.Target.Name),
                Namespace = Render(rollout.Target.Namespace),
                Cluster = rollout.Target.Cluster is null ? null : Render(rollout.Target.Cluster),
            },
            Canary = rollout.Canary is null ? null : rollout.Canary with
            {
                Analysis = Args(rollout.Canary.Analysis),
                Steps = rollout.Canary.Steps.Select(s => s is AnalysisStep a ? a with { Analysis = Args(a.Analysis)! } : s).ToList(),
            },
            BlueGreen = rollout.BlueGreen is null ? null : rollout.BlueGreen with
            {
                PrePromotionAnalysis = Args(rollout.BlueGreen.PrePromotionAnalysis),
                PostPromotionAnalysis = Args(rollout.BlueGreen.PostPromotionAnalysis),
            },
        };
    }

    sealed class ParamsScope(IReadOnlyDictionary<string, string> parameters) : ITemplateScope
    {
        public bool TryResolve(string path, out JsonElement value)
        {
            string[] parts = path.Split('.');
            bool found = parts is ["params", var name] && parameters.ContainsKey(name);
            value = found ? JsonSerializer.SerializeToElement(parameters[parts[1]]) : default;
            return found;
        }
    }
}
