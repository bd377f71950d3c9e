using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using DurableTask.Core;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Hosting.Backends;

/// <summary>
/// The gRPC sidecar in front of the backend, reachable only by this process. Anything that can
/// reach a Durable Task sidecar can start, terminate and raise events into any run, so it listens
/// on a Unix domain socket in a folder only the process's user can open (never a TCP port), and
/// every call must carry a random secret that only this process knows.
/// </summary>
internal sealed class LocalSidecar : IAsyncDisposable
{
    public const string SecretHeader = "x-gitops-sidecar-secret";

    readonly WebApplication app;
    readonly string folder;
    readonly string secret;

    LocalSidecar(WebApplication app, string folder, string secret)
    {
        this.app = app;
        this.folder = folder;
        this.secret = secret;
    }

    /// <summary>The socket the sidecar listens on.</summary>
    public string SocketPath => Path.Combine(folder, "sidecar.sock");

    public static async Task<LocalSidecar> StartAsync(IOrchestrationService service, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        // Created with mode 0700 on Unix: other users cannot even find the socket.
        string folder = Directory.CreateTempSubdirectory("gitops-sidecar-").FullName;
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        string socket = Path.Combine(folder, "sidecar.sock");

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, OwnedHostLifetime>();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(socket, listen => listen.Protocols = HttpProtocols.Http2);

            // The worker completes up to a thousand activities at once over this one socket.
            kestrel.Limits.Http2.MaxStreamsPerConnection = SidecarChannels.MaxStreams;
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        builder.Services.AddSingleton((IOrchestrationServiceClient)service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        WebApplication app = builder.Build();
        byte[] expected = Encoding.ASCII.GetBytes(secret);
        app.Use(async (context, next) =>
        {
            byte[] given = Encoding.ASCII.GetBytes(context.Request.Headers[SecretHeader].ToString());
            if (!CryptographicOperations.FixedTimeEquals(given, expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await next(context);
        });
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new LocalSidecar(app, folder, secret);
    }

    /// <summary>A channel to the sidecar that carries the secret; only the host's own worker and client get one.</summary>
    public GrpcChannel CreateChannel() => SidecarChannels.Open(SocketPath, secret);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A socket file still held open is removed with the temp folder later; nothing depends on it.
        }
    }
}

/// <summary>gRPC channels over a sidecar's Unix socket.</summary>
public static class SidecarChannels
{
    /// <summary>Concurrent calls one connection carries; beyond it the client opens another.</summary>
    public const int MaxStreams = 1000;

    /// <summary>
    /// The client's calls (start, read, raise, terminate, suspend, resume, query, wait) that are
    /// tried again when the sidecar dropped them before answering (a connection closed under load),
    /// rather than failing the command or the watch that made them. Each is safe to repeat: a start
    /// names its instance id, and the rest read or set a state. The worker's own calls are left
    /// alone: retrying buffers every message, which costs its hot path about a fifth of its speed
    /// (docs/performance.md), and a work item it cannot complete is delivered again anyway.
    /// </summary>
    internal static readonly IReadOnlyList<string> RetriedMethods =
    [
        "StartInstance", "GetInstance", "RaiseEvent", "TerminateInstance", "SuspendInstance", "ResumeInstance",
        "QueryInstances", "PurgeInstances", "WaitForInstanceStart", "WaitForInstanceCompletion",
    ];

    static readonly ServiceConfig Retries = RetryConfig();

    static ServiceConfig RetryConfig()
    {
        var config = new MethodConfig
        {
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = 5,
                InitialBackoff = TimeSpan.FromMilliseconds(100),
                MaxBackoff = TimeSpan.FromSeconds(2),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        foreach (string name in RetriedMethods)
        {
            config.Names.Add(Method(name));
        }

        return new ServiceConfig { MethodConfigs = { config } };
    }

    /// <summary>A method of the Durable Task sidecar service, named as its descriptor names it; a name it does not have is an error, not a silent no-retry.</summary>
    static MethodName Method(string name) =>
        Microsoft.DurableTask.Protobuf.TaskHubSidecarService.Descriptor.FindMethodByName(name) is { } method
            ? new MethodName { Service = method.Service.FullName, Method = method.Name }
            : throw new InvalidOperationException($"the Durable Task sidecar service has no method '{name}'");

    /// <summary>A channel to a sidecar socket, carrying whatever secret the caller claims; without the right one every call is refused.</summary>
    public static GrpcChannel Open(string socketPath, string? secret)
    {
        var sockets = new SocketsHttpHandler
        {
            // More connections rather than a queue when one connection's streams are all in use.
            EnableMultipleHttp2Connections = true,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        HttpMessageHandler handler = secret is null ? sockets : new SecretHandler(secret, sockets);
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, ServiceConfig = Retries });
    }

    sealed class SecretHandler(string secret, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(LocalSidecar.SecretHeader, secret);
            return base.SendAsync(request, cancellationToken);
        }
    }

}
