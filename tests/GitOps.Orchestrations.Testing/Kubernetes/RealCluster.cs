using Testcontainers.K3s;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>
/// A real Kubernetes API server for the real-cluster suites: the cluster <c>KUBECONFIG</c> names;
/// otherwise, with a Docker engine, K3s started once per test process through Testcontainers
/// (removed by its reaper when the process ends); otherwise none, and those suites are skipped
/// with <see cref="SkipReason"/>.
/// </summary>
public static class RealCluster
{
    /// <summary>The K3s image the suite runs on when it starts one; docs/delivery.md names the versions the suites have run on.</summary>
    public const string K3sImage = "rancher/k3s:v1.31.4-k3s1";

    static readonly Lazy<Task<string>> Kubeconfig = new(StartAsync);

    static string? ConfiguredKubeconfig =>
        Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } value && value.Split(Path.PathSeparator)[0] is var first && File.Exists(first) ? first : null;

    /// <summary>Null when a real cluster is available; otherwise why the real-cluster suites do not run.</summary>
    public static string? SkipReason =>
        ConfiguredKubeconfig is not null || DockerEngine.Available
            ? null
            : "needs a real cluster: set KUBECONFIG to a kubeconfig file, or provide a Docker engine for K3s through Testcontainers; the same scenarios run against the API fixture";

    /// <summary>Where the cluster comes from, for test output.</summary>
    public static string Describe => ConfiguredKubeconfig is { } path ? $"KUBECONFIG {path}" : $"K3s {K3sImage} (Testcontainers)";

    /// <summary>A kubeconfig file for the cluster, starting K3s on first use when that is where it comes from.</summary>
    public static Task<string> KubeconfigAsync() => Kubeconfig.Value;

    static async Task<string> StartAsync()
    {
        if (ConfiguredKubeconfig is { } path)
        {
            return path;
        }

        K3sContainer k3s = new K3sBuilder(K3sImage).Build();
        await k3s.StartAsync();
        string file = Path.Combine(Path.GetTempPath(), $"k3s-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(file, await k3s.GetKubeconfigAsync());
        return file;
    }
}
