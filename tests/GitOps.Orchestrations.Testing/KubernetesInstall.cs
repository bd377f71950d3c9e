using System.Diagnostics;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// The Kubernetes manifests of <c>deploy/kubernetes</c> as an operator renders them: a copy of the
/// folder with the secret files written from their examples (as deploy/README.md has them do), then
/// <c>kubectl kustomize</c> on an overlay.
/// </summary>
public sealed class KubernetesInstall : IDisposable
{
    public static readonly string Source = System.IO.Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes");

    public KubernetesInstall()
    {
        Path = System.IO.Path.Combine(Directory.CreateTempSubdirectory("gitops-install").FullName, "kubernetes");
        Copy(Source, Path);
        string secrets = System.IO.Path.Combine(Path, "components", "secrets");
        File.Copy(System.IO.Path.Combine(secrets, "secrets.env.example"), System.IO.Path.Combine(secrets, "secrets.env"), overwrite: true);
        File.Copy(System.IO.Path.Combine(secrets, "keys.json.example"), System.IO.Path.Combine(secrets, "keys.json"), overwrite: true);
    }

    public string Path { get; }

    /// <summary>Every overlay's name, from the folder: a new overlay is checked without being listed here.</summary>
    public static IReadOnlyList<string> Overlays =>
        [.. Directory.GetDirectories(System.IO.Path.Combine(Source, "overlays")).Select(d => System.IO.Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    public string Render(string overlay) => Kustomize(System.IO.Path.Combine(Path, "overlays", overlay));

    public static string Kustomize(string folder)
    {
        var start = new ProcessStartInfo("kubectl") { ArgumentList = { "kustomize", folder }, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Result : throw new InvalidOperationException($"kubectl kustomize {folder} failed: {error}");
    }

    public void Dispose() => Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);

    static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }

        foreach (string folder in Directory.GetDirectories(from))
        {
            Copy(folder, System.IO.Path.Combine(to, System.IO.Path.GetFileName(folder)));
        }
    }
}
