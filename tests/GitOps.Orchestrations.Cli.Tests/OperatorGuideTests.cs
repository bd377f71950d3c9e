using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;
using k8s.Models;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// deploy/README.md's Kubernetes steps that need no cluster, run as written by bash: writing the
/// secrets and making the first key, then rendering the overlay the next step applies.
/// </summary>
public sealed class OperatorGuideTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("gitops-guide").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>The first bash block after <paramref name="heading"/>, as the reader copies it.</summary>
    static string BlockAfter(string heading)
    {
        string guide = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "deploy", "README.md"));
        int at = guide.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(at >= 0, $"deploy/README.md has no '{heading}'");
        return Regex.Match(guide[at..], "```bash\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
    }

    [Fact]
    public async Task The_secrets_step_makes_a_secret_the_namespaced_overlay_renders_with_a_real_approval_key_and_a_hashed_admin_key()
    {
        using var install = new KubernetesInstall();
        string repository = Path.Combine(root, "repo");
        Directory.CreateDirectory(Path.Combine(repository, "deploy"));
        Directory.Move(install.Path, Path.Combine(repository, "deploy", "kubernetes"));
        string secrets = Path.Combine(repository, "deploy", "kubernetes", "components", "secrets");
        File.Delete(Path.Combine(secrets, "secrets.env"));
        File.Delete(Path.Combine(secrets, "keys.json"));

        // gitops on PATH, as the CLI section installs it.
        string bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        string shim = Path.Combine(bin, "gitops");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "gitops.dll")}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string steps = BlockAfter("**2. Write the secrets**");
        ToolRun ran = await Tool.RunAsync("bash", ["-euo", "pipefail", "-c", steps + "\nkubectl kustomize overlays/namespaced > rendered.yaml\n"], repository, environment: new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["GITOPS_CONFIG"] = Path.Combine(bin, "context.json"),
        });
        string output = ran.Output;
        Assert.True(ran.ExitCode == 0, output);

        string key = Regex.Match(output, @"gok_[A-Za-z0-9_-]+").Value;
        Assert.NotEmpty(key);
        V1Secret secret = k8s.KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(repository, "deploy", "kubernetes", "rendered.yaml"))).OfType<V1Secret>().Single();
        Assert.Equal(32, Convert.FromBase64String(Encoding.UTF8.GetString(secret.Data["GITOPS_APPROVAL_KEY"])).Length);
        Assert.StartsWith("DefaultEndpointsProtocol=https;AccountName=", Encoding.UTF8.GetString(secret.Data["GITOPS_STORE"]), StringComparison.Ordinal);
        JsonElement admin = JsonDocument.Parse(secret.Data["keys.json"]).RootElement.GetProperty("GitOps").GetProperty("ApiKeys")[0];
        Assert.Equal(("admin", "approver"), (admin.GetProperty("User").GetString(), admin.GetProperty("Role").GetString()));
        Assert.Equal(Server.Authentication.ApiKeyFile.Hash(key), admin.GetProperty("Sha256").GetString());
        Assert.DoesNotContain(key, File.ReadAllText(Path.Combine(secrets, "keys.json")), StringComparison.Ordinal);

        // Neither file may reach Git.
        string ignored = File.ReadAllText(Path.Combine(secrets, ".gitignore"));
        Assert.Contains("secrets.env", ignored, StringComparison.Ordinal);
        Assert.Contains("keys.json", ignored, StringComparison.Ordinal);
    }
}
