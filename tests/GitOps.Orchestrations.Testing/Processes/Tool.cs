using System.Diagnostics;

namespace GitOps.Orchestrations.Testing.Processes;

/// <summary>What a program printed, apart, and how it exited.</summary>
public sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>
/// Runs a program the tests need (kubectl, bicep, bash, dotnet) to its end: arguments as a list
/// (no shell), stdout and stderr read apart, the process tree killed when it overruns, and none of
/// the settings of the person running the tests in its environment (<see cref="Hermetic"/>).
/// </summary>
public static class Tool
{
    public static async Task<ToolRun> RunAsync(string file, IEnumerable<string> args, string directory, TimeSpan? within = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Hermetic(start);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(within ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish: {await stdout}{await stderr}");
        }

        return new ToolRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// A store, task hub or server the person running the tests has exported must not choose the
    /// tests' (every GITOPS_ and GitOps__ variable is a setting: docs/server.md).
    /// </summary>
    public static void Hermetic(ProcessStartInfo start)
    {
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("GITOPS_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("GitOps__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
    }
}
