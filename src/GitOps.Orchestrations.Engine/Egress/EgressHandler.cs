using System.Net;
using System.Net.Sockets;

namespace GitOps.Orchestrations.Engine.Egress;

/// <summary>
/// The primary handler of every outbound HTTP client of the engine: it resolves names itself and
/// connects only to addresses the <see cref="EgressPolicy"/> allows, and never follows redirects
/// on its own (a step that allows them follows them through <see cref="EgressPolicy"/> again).
/// </summary>
public static class EgressHandler
{
    public static SocketsHttpHandler Create(EgressPolicy policy) => new()
    {
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            DnsEndPoint endpoint = context.DnsEndPoint;
            IPAddress[] addresses = IPAddress.TryParse(endpoint.Host, out IPAddress? literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
            string? refusal = null;
            foreach (IPAddress address in addresses)
            {
                refusal = policy.RefuseAddress(address);
                if (refusal is not null)
                {
                    continue;
                }

                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            throw new EgressDeniedException(refusal is null ? $"'{endpoint.Host}' resolved to no address" : $"'{endpoint.Host}': {refusal}");
        },
    };
}
