using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// The small web apps the CLI's local stand-ins run (<c>demo-app</c>, <c>charts serve</c>): quiet
/// Kestrel on the given URLs, started, with the address it bound (a real port when asked for 0).
/// An address in use is said in one line, and null is returned.
/// </summary>
internal static class LocalWebApp
{
    public static async Task<(WebApplication App, string Address)?> StartAsync(string urls, Action<WebApplicationBuilder> configure, Action<WebApplication> map, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        configure(builder);
        WebApplication app = builder.Build();
        map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await app.DisposeAsync();
            Console.Error.WriteLine($"error: cannot listen on {urls}: the address is in use; choose another with --urls");
            return null;
        }

        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }
}
