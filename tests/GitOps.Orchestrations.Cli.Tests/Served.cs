using System.Diagnostics;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>A <c>gitops serve</c> on the embedded store, started in a folder as a newcomer starts it: no --config, so serve.json there is read, or made.</summary>
internal sealed class Served : IAsyncDisposable
{
    readonly Process process;
    readonly System.Text.StringBuilder output = new();

    Served(Process process) => this.process = process;

    public string BaseUrl { get; private set; } = "";

    public string? FirstKey { get; private set; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<Served> StartAsync(string repository, string folder, IDictionary<string, string>? environment = null)
    {
        bool hadConfig = File.Exists(Path.Combine(folder, "serve.json"));
        Process process = Gitops.Start(["serve", "--store", "memory", "--repo", repository, "--urls", "http://127.0.0.1:0"], environment, workingDirectory: folder);
        var served = new Served(process);
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (served.output)
            {
                served.output.AppendLine(e.Data);
            }

            if (e.Data is { } line && System.Text.RegularExpressions.Regex.Match(line, @"listening on (http://127\.0\.0\.1:\d+)") is { Success: true } address)
            {
                served.BaseUrl = address.Groups[1].Value;
            }

            if (e.Data?.Trim() is { } trimmed && trimmed.StartsWith("gok_", StringComparison.Ordinal))
            {
                served.FirstKey = trimmed;
            }

            // A first start is ready once its key block has been printed; a later one at "listening".
            if (e.Data is { } last && (last.StartsWith("Add people with", StringComparison.Ordinal) || (hadConfig && last.Contains("listening on", StringComparison.Ordinal))))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (served.output)
            {
                served.output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromMinutes(1));
        return served;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
