using System.Diagnostics;
using System.Text;

namespace GitOps.Orchestrations.Rendering;

public sealed record ToolResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs one named tool (kustomize, kubectl, helm) and nothing else: no shell, arguments passed as a
/// list, a minimal environment whose HOME is the render's own temp folder, and a time limit after
/// which the whole process tree is killed.
/// </summary>
public static class ToolRunner
{
    /// <summary>The folder beside the app where a package can carry its tools, for hosts whose PATH it cannot change (a Functions app's deployment package).</summary>
    public static readonly string BundledTools = Path.Combine(AppContext.BaseDirectory, "tools");

    /// <summary>A tool on PATH, else in <see cref="BundledTools"/>; null when neither has it.</summary>
    public static string? Find(string tool)
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append(BundledTools))
        {
            string candidate = Path.Combine(folder, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static async Task<ToolResult> RunAsync(string executable, IReadOnlyList<string> arguments, string workRoot, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        start.Environment["HOME"] = workRoot;
        start.Environment["KUBECONFIG"] = Path.Combine(workRoot, ".no-kubeconfig");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(workRoot, ".cache");

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.Append(e.Data).Append('\n'); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.Append(e.Data).Append('\n'); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new RenderException($"{Path.GetFileName(executable)} did not finish within {timeout.TotalSeconds:0}s and was stopped");
        }

        process.WaitForExit();
        return new ToolResult(process.ExitCode, output.ToString(), error.ToString().Trim());
    }
}

/// <summary>A render that failed: the tool's own message, or what is missing.</summary>
public sealed class RenderException(string message) : Exception(message);
