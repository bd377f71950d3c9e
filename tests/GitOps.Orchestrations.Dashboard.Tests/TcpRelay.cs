using System.Net;
using System.Net.Sockets;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>
/// A TCP relay in front of a server, which a test can cut: every open connection is closed at
/// once, as a proxy restart or a network blip would, while new connections are still relayed.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly Uri target;
    readonly CancellationTokenSource stopping = new();
    readonly Lock gate = new();
    readonly List<TcpClient> open = [];
    readonly Task accepting;

    public TcpRelay(string targetUrl)
    {
        target = new Uri(targetUrl);
        listener.Start();
        accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>How many connections have been accepted so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>While true, new connections are closed as soon as they arrive, as an unreachable server's would be.</summary>
    public bool Refusing { get; set; }

    /// <summary>Closes every connection open now.</summary>
    public void Cut()
    {
        lock (gate)
        {
            foreach (TcpClient client in open)
            {
                // A reset, not a graceful close: what a dropped connection looks like to the browser.
                try
                {
                    client.Client?.LingerState = new LingerOption(true, 0);
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException)
                {
                    // Already closed by its other side.
                }

                client.Dispose();
            }

            open.Clear();
        }
    }

    async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }

            Accepted++;
            if (Refusing)
            {
                inbound.Client.LingerState = new LingerOption(true, 0);
                inbound.Dispose();
                continue;
            }

            _ = RelayAsync(inbound);
        }
    }

    async Task RelayAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        lock (gate)
        {
            open.Add(inbound);
            open.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(target.Host, target.Port, stopping.Token);
            NetworkStream a = inbound.GetStream(), b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, stopping.Token), b.CopyToAsync(a, stopping.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Cut, or one side went away: the other side is closed below.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
            lock (gate)
            {
                open.Remove(inbound);
                open.Remove(outbound);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        Cut();
        await accepting;
        stopping.Dispose();
    }
}
