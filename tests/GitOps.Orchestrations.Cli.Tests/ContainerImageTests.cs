using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// deploy/container/Dockerfile, checked as far as can be without a Docker engine: what it copies
/// exists and is not left out of the context, the publish it runs succeeds on a context without
/// .git, and the app it starts, with the image's environment and the Kubernetes ConfigMap's
/// settings, listens where the Service sends traffic and writes only where volumes are mounted.
/// </summary>
public sealed partial class ContainerImageTests : IDisposable
{
    static readonly string Dockerfile = Path.Combine(RepositoryRoot.Path, "deploy", "container", "Dockerfile");

    readonly string work = Directory.CreateTempSubdirectory("gitops-image").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    /// <summary>The instructions, continuation lines joined, comments dropped.</summary>
    static List<(string Instruction, string Arguments)> Instructions() =>
        [.. Regex.Replace(string.Join('\n', File.ReadAllLines(Dockerfile).Where(l => !l.TrimStart().StartsWith('#'))), @"\\\n\s*", " ")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', 2) is [string i, string a] ? (i, a) : (l, string.Empty))];

    /// <summary>The build stage's <c>COPY</c> sources: files of the repository, never another stage's.</summary>
    static IEnumerable<string> CopiedFromContext() =>
        Instructions().Where(i => i.Instruction == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1));

    static Dictionary<string, string> ImageEnvironment() =>
        Instructions().Where(i => i.Instruction == "ENV")
            .SelectMany(i => EnvPair().Matches(i.Arguments).Select(m => (m.Groups[1].Value, m.Groups[2].Value)))
            .ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void What_the_image_copies_is_in_the_repository_and_in_the_build_context()
    {
        string[] ignored = [.. File.ReadAllLines(Path.Combine(RepositoryRoot.Path, ".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#'))];
        List<string> copied = [.. CopiedFromContext()];
        Assert.Contains("src/", copied);
        foreach (string source in copied)
        {
            string path = Path.Combine(RepositoryRoot.Path, source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: not in the repository");
            Assert.DoesNotContain(ignored, pattern => source.TrimEnd('/') == pattern.TrimEnd('/'));
        }

        // What the build needs beyond src/ is copied too: the props files at the top, and the
        // analyzer settings, without which warnings the repository silences fail the build.
        Assert.Contains(".editorconfig", copied);
        Assert.Contains("Directory.Packages.props", copied);
        Assert.Contains("Directory.Build.props", copied);
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user_and_checks_health_on_the_liveness_endpoint()
    {
        List<(string Instruction, string Arguments)> instructions = Instructions();
        Assert.Equal("app", instructions.Last(i => i.Instruction == "USER").Arguments);
        Assert.Contains("/healthz", instructions.Single(i => i.Instruction == "HEALTHCHECK").Arguments, StringComparison.Ordinal);
        Assert.Equal("8080", instructions.Single(i => i.Instruction == "EXPOSE").Arguments);
        Assert.Equal("http://0.0.0.0:8080", ImageEnvironment()["GITOPS_URLS"]);
        Assert.Equal(2, instructions.Count(i => i.Instruction == "FROM" && i.Arguments.Contains("AS ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_publish_it_runs_succeeds_on_a_context_without_git_and_the_app_runs_with_the_images_settings()
    {
        // The build context as Docker sends it: what COPY names, without bin/, obj/ or .git.
        string context = Path.Combine(work, "context");
        foreach (string source in CopiedFromContext())
        {
            CopyFiltered(Path.Combine(RepositoryRoot.Path, source), Path.Combine(context, source));
        }

        string publish = Instructions().Single(i => i.Instruction == "RUN" && i.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal)).Arguments;
        string output = Path.Combine(work, "app");
        string[] args = [.. publish.Replace("${COMMIT}", "0123456789abcdef0123456789abcdef01234567", StringComparison.Ordinal).Replace("-o /app", $"-o {output}", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)];
        ToolRun published = await Tool.RunAsync("dotnet", args, context, TimeSpan.FromMinutes(8));
        Assert.True(published.ExitCode == 0, published.Output);

        // ENTRYPOINT ["dotnet", "/app/gitops.dll"]: that file, and the commit the build was given.
        string entry = Instructions().Single(i => i.Instruction == "ENTRYPOINT").Arguments;
        Assert.Equal("""["dotnet", "/app/gitops.dll"]""", entry);
        ToolRun version = await Tool.RunAsync("dotnet", [Path.Combine(output, "gitops.dll"), "--version"], work, TimeSpan.FromMinutes(1));
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^gitops \d+\.\d+\.\d+ \(commit 0123456789ab\)", version.Stdout.Trim());

        // The app as the Deployment runs it: the image's environment, the ConfigMap's serve.json.
        using var install = new KubernetesInstall();
        string rendered = install.Render("namespaced");
        var configMap = k8s.KubernetesYaml.LoadAllFromString(rendered).OfType<k8s.Models.V1ConfigMap>().Single();
        string config = Path.Combine(work, "serve.json");
        File.WriteAllText(config, configMap.Data["serve.json"]);
        var environment = new Dictionary<string, string>(ImageEnvironment()) { ["GITOPS_STORE"] = "memory", ["HOME"] = Path.Combine(work, "home") };
        ToolRun printed = await Tool.RunAsync("dotnet", [Path.Combine(output, "gitops.dll"), "serve", "--print-config", "--config", config], work, TimeSpan.FromMinutes(1), environment);
        Assert.True(printed.ExitCode == 0, printed.Output);
        JsonElement settings = JsonDocument.Parse(printed.Stdout).RootElement;
        Assert.Equal("http://0.0.0.0:8080", settings.GetProperty("Urls").GetString());
        Assert.Equal("/var/cache/gitops", settings.GetProperty("CacheDirectory").GetString());
        Assert.Equal("/etc/gitops/keys/keys.json", settings.GetProperty("KeysFile").GetString());
        Assert.Equal("gitops", settings.GetProperty("TaskHub").GetString());
        Assert.Equal("/etc/gitops/config/serve.json", Instructions().Single(i => i.Instruction == "CMD").Arguments.Split('"')[5]);
    }

    static void CopyFiltered(string from, string to)
    {
        if (File.Exists(from))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
            return;
        }

        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string folder in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj" or "TestResults")))
        {
            CopyFiltered(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")]
    private static partial Regex EnvPair();
}
