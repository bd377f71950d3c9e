using GitOps.Orchestrations.Core.Editing;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Rendering;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery;

/// <summary>
/// Turns what Git, the renderers and the API server refuse into a step's failure message, with
/// credentials removed, and says whether trying again could help.
/// </summary>
public static class DeliveryErrors
{
    public static bool IsExpected(Exception e) =>
        e is GitSourceException or ArgumentException or RenderException or ManifestException or KubernetesApiException
            or YamlPathException or Kubernetes.Traffic.TrafficRoutingException or Charts.ChartException or IOException or FormatException or k8s.Exceptions.KubeConfigException or LibGit2Sharp.LibGit2SharpException
            or ClusterNotConfiguredException or Kubernetes.Jobs.JobNotOursException;

    /// <summary>
    /// Runs an activity's work and turns an expected failure into its outcome, logged once, so a
    /// bad render or an unreachable server fails the step cleanly instead of throwing.
    /// </summary>
    public static async Task<T> RunAsync<T>(ILogger logger, string step, Func<Task<T>> work)
        where T : DeliveryOutcome, new()
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (IsExpected(e))
        {
            T failed = Outcome(new T(), e);
            logger.StepFailed(step, failed.Error!);
            return failed;
        }
    }

    public static T Outcome<T>(T empty, Exception e)
        where T : DeliveryOutcome =>
        empty with
        {
            Error = GitRemote.Redact(e.Message),
            Transient = e switch
            {
                KubernetesApiException api => api.Transient,
                GitSourceException => true,
                Kubernetes.Traffic.TrafficRoutingException => true,
                Charts.ChartException chart => chart.Transient,
                _ => false,
            },
        };
}
