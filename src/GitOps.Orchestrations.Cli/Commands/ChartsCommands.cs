using System.CommandLine;
using GitOps.Orchestrations.Charts;
using GitOps.Orchestrations.Core.Promotion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops charts serve FOLDER</c> and <c>gitops charts push CHART --to URL</c>: chart repositories
/// on one machine, so that a promotion pipeline can be tried without building any (docs/pipelines.md).
/// </summary>
internal static class ChartsCommands
{
    public static Command Create() => new("charts", "Local Helm chart repositories, to try pipelines on one machine") { Serve(), Push() };

    static Command Serve()
    {
        Argument<string> folder = new("folder") { Description = "The folder to serve; each subfolder is a repository (bronze, silver, gold...)" };
        Option<string> urls = new("--urls") { Description = "Where to listen (anyone who reaches it may write: keep it on loopback)", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
        Command command = new("serve", "Serve a folder as chart repositories that helm-publish can write to") { folder, urls };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var charts = new ChartFolder(parse.GetValue(folder)!);
            Directory.CreateDirectory(charts.Root);
            if (await LocalWebApp.StartAsync(
                parse.GetValue(urls)!,
                builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = ChartFolder.MaxFileBytes),
                app => app.Run(http => HandleAsync(http, charts)),
                cancellationToken) is not var (app, address))
            {
                return ExitCodes.Usage;
            }

            await using WebApplication running = app;
            Console.Out.WriteLine($"gitops charts: listening on {address}, serving {charts.Root}; a repository is {address}/NAME (bronze, silver, gold...)");
            // Ctrl+C or SIGTERM: the web host hears them and stops.
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Succeeded;
        });
        return command;
    }

    static async Task HandleAsync(HttpContext http, ChartFolder charts)
    {
        string? file = charts.Resolve(http.Request.Path.Value ?? string.Empty);
        if (file is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        switch (http.Request.Method)
        {
            case "GET" or "HEAD" when File.Exists(file):
                byte[] content = await File.ReadAllBytesAsync(file, http.RequestAborted);
                http.Response.Headers.ETag = ChartFolder.Tag(content);
                http.Response.ContentType = file.EndsWith(".yaml", StringComparison.Ordinal) ? "text/yaml" : "application/gzip";
                if (http.Request.Method == "GET")
                {
                    await http.Response.Body.WriteAsync(content, http.RequestAborted);
                }

                return;
            case "GET" or "HEAD":
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            case "PUT":
                using (var body = new MemoryStream())
                {
                    try
                    {
                        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
                    }
                    catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
                    {
                        http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                        return;
                    }

                    bool written = await charts.PutAsync(file, body.ToArray(), http.Request.Headers.IfMatch.FirstOrDefault(), http.Request.Headers.IfNoneMatch.FirstOrDefault(), http.RequestAborted);
                    http.Response.StatusCode = written ? StatusCodes.Status201Created : StatusCodes.Status412PreconditionFailed;
                }

                return;
            case "DELETE":
                await charts.DeleteAsync(file, http.RequestAborted);
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            default:
                http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
        }
    }

    static Command Push()
    {
        Argument<string> chart = new("chart") { Description = "A chart folder (with its Chart.yaml)" };
        Option<string> to = new("--to") { Description = "The chart repository's URL, such as http://127.0.0.1:8081/bronze", Required = true };
        Command command = new("push", "Package a chart folder and publish it into a chart repository, as CI would") { chart, to };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                ChartArchive archive = ChartPackager.Package(parse.GetValue(chart)!);
                using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
                IChartRepository repository = ChartRepositoryFactory.Create(new ChartRepositorySpec { Url = parse.GetValue(to) }, http);
                HelmIndex index = await repository.ReadIndexAsync(cancellationToken);
                if (index.Find(archive.Name, archive.Version) is { } existing)
                {
                    // Versions are immutable, as in every Helm repository: the same bytes are already there, or this is refused.
                    if (existing.Digest == archive.Digest)
                    {
                        Console.Out.WriteLine($"{archive.Name} {archive.Version} is already in {repository.Location} (sha256:{archive.Digest})");
                        return ExitCodes.Succeeded;
                    }

                    Console.Error.WriteLine($"error: {repository.Location} already has {archive.Name} {archive.Version} with other contents (sha256:{existing.Digest}); versions are immutable, so bump the version in Chart.yaml");
                    return ExitCodes.Failed;
                }

                await repository.PublishAsync(archive, cancellationToken);
                Console.Out.WriteLine($"pushed {archive.Name} {archive.Version} to {repository.Location} (sha256:{archive.Digest})");
                return ExitCodes.Succeeded;
            }
            catch (Exception e) when (e is ChartException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return e is ArgumentException ? ExitCodes.Usage : ExitCodes.Failed;
            }
        });
        return command;
    }
}
