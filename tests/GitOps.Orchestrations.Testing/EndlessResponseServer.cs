using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// An HTTP server on a raw socket that answers every request with a body far larger than anyone
/// should read, and counts the bytes the kernel accepted. A socket write completes only once the
/// peer's window and the send buffer have room, so the count shows how much the client really
/// read (plus a few megabytes of buffers), which an application-level server cannot: Kestrel
/// silently accepts writes to a connection its client has already closed.
/// </summary>
public sealed class EndlessResponseServer : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    long sent;

    public EndlessResponseServer(long bodyBytes)
    {
        listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/endless";
        _ = ServeAsync(bodyBytes);
    }

    public string Url { get; }

    public long BytesSent => Interlocked.Read(ref sent);

    async Task ServeAsync(long bodyBytes)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await ReadHeadersAsync(client);
                        await client.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {bodyBytes}\r\nConnection: close\r\n\r\n"), stop.Token);
                        byte[] chunk = new byte[64 * 1024];
                        Array.Fill(chunk, (byte)'x');
                        for (long left = bodyBytes; left > 0; left -= chunk.Length)
                        {
                            int n = await client.SendAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)), stop.Token);
                            Interlocked.Add(ref sent, n);
                        }
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
                    {
                        // The client closed the connection: the count says how much it took.
                    }
                }
            });
        }
    }

    static async Task ReadHeadersAsync(Socket client)
    {
        var seen = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await client.ReceiveAsync(buffer);
            if (read == 0)
            {
                return;
            }

            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    public ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
