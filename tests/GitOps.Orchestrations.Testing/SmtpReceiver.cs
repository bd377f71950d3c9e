using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using Xunit;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// A real SMTP server on loopback (the SmtpServer library, which speaks the protocol as RFC 5321
/// describes it), keeping every message it accepts as MIME.
/// </summary>
public sealed class SmtpReceiver : IAsyncLifetime
{
    readonly CancellationTokenSource stopping = new();
    Task? serving;

    public int Port { get; private set; }

    public ConcurrentQueue<MimeMessage> Messages { get; } = new();

    public Task InitializeAsync()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        ISmtpServerOptions options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Messages));
        var server = new SmtpServer.SmtpServer(options, services);
        serving = server.StartAsync(stopping.Token);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await stopping.CancelAsync();
        if (serving is not null)
        {
            try
            {
                await serving;
            }
            catch (OperationCanceledException)
            {
                // Stopped, as asked.
            }
        }

        stopping.Dispose();
    }

    sealed class Store(ConcurrentQueue<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
