using System.Diagnostics;

namespace GitOps.Orchestrations.Testing.Processes;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the built <c>gitops</c> binary in its own process; a project using this references the CLI project, so <c>gitops.dll</c> sits beside it.</summary>
public static class Gitops
{
    public static readonly string RepoRoot = RepositoryRoot.Path;

    public static Process Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gitops.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Tool.Hermetic(start);

        // Nor may the server and key the person running the tests logged in with (gitops login): each
        // process gets a context file of its own unless the test shares one on purpose.
        start.Environment["GITOPS_CONFIG"] = Path.Combine(Path.GetTempPath(), $"gitops-context-{Guid.NewGuid():N}.json");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        using Process process = Start(args, environment, workingDirectory);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gitops {string.Join(' ', args)} did not finish: {await stdout} {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
