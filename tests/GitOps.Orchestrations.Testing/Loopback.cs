using System.Net;
using System.Net.Sockets;

namespace GitOps.Orchestrations.Testing;

/// <summary>Ports on 127.0.0.1 for servers the tests start as separate processes.</summary>
public static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
