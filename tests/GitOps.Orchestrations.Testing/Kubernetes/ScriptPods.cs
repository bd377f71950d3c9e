using GitOps.Orchestrations.Testing.Processes;
using k8s.Models;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>
/// Runs a script step's pod for real, for a <see cref="JobController"/> plan: the source the step
/// mounted (read back from its ConfigMap in the fixture) runs here with the container's
/// interpreter, arguments and plain env values, and its output and exit code are the pod's. So a
/// test proves what reaches the container, not what the step meant to send.
/// </summary>
public static class ScriptPods
{
    public static async Task<PodPlan> RunHereAsync(KubeApiServer cluster, V1Job job)
    {
        V1Container container = job.Spec.Template.Spec.Containers.Single();
        V1Volume volume = job.Spec.Template.Spec.Volumes.Single(v => v.ConfigMap is not null);
        string source = (string)cluster.Get("v1", "ConfigMap", job.Metadata.NamespaceProperty, volume.ConfigMap.Name)!["data"]!["source"]!;
        string mount = container.VolumeMounts.Single(m => m.Name == volume.Name).MountPath;
        string folder = Directory.CreateTempSubdirectory("gitops-script-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "source"), source);
            string[] args = [.. container.Command.Skip(1), .. (container.Args ?? []).Select(a => a.Replace(mount, folder, StringComparison.Ordinal))];
            Dictionary<string, string> env = (container.Env ?? []).Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);
            ToolRun run = await Tool.RunAsync(container.Command[0], args, folder, TimeSpan.FromMinutes(1), env);
            return new PodPlan { ExitCode = run.ExitCode, Log = run.Stdout + run.Stderr };
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
