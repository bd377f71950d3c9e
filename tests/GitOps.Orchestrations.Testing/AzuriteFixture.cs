using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Xunit;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// A real Azurite for the tests, persisting to disk. With a Docker engine it runs the Azurite image
/// through Testcontainers; without one (as on these machines) it starts the npm package that
/// <c>tests/run</c> installs into <c>.tools/</c>. Either way the tests talk to real Azure Storage APIs.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    Process? process;
    IContainer? container;
    readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"azurite-{Guid.NewGuid():N}");

    public string ConnectionString { get; private set; } = string.Empty;

    public string How { get; private set; } = string.Empty;

    /// <summary>When set, the npm Azurite writes its debug log here: every request it serves, for counting them.</summary>
    public string? DebugLog { get; init; }

    public async Task InitializeAsync()
    {
        if (DockerEngine.Available)
        {
            container = new ContainerBuilder("mcr.microsoft.com/azure-storage/azurite:3.35.0")
                .WithPortBinding(10000, true).WithPortBinding(10001, true).WithPortBinding(10002, true)
                .WithCommand("azurite", "--blobHost", "0.0.0.0", "--queueHost", "0.0.0.0", "--tableHost", "0.0.0.0", "--skipApiVersionCheck", "--loose")
                .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(10002))
                .Build();
            await container.StartAsync();
            ConnectionString = Build(container.GetMappedPublicPort(10000), container.GetMappedPublicPort(10001), container.GetMappedPublicPort(10002));
            How = "Testcontainers";
            return;
        }

        string azurite = FindAzurite();
        Directory.CreateDirectory(dataDirectory);

        // A free port is only free until someone takes it: when another process binds one of ours
        // first, Azurite exits, and it is started again on new ports rather than waited for in vain.
        for (int attempt = 1; ; attempt++)
        {
            int blob = FreePort(), queue = FreePort(), table = FreePort();
            var start = new ProcessStartInfo(azurite)
            {
                ArgumentList =
                {
                    "--silent", "--skipApiVersionCheck", "--loose", "--location", dataDirectory,
                    "--blobPort", blob.ToString(), "--queuePort", queue.ToString(), "--tablePort", table.ToString(),
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (DebugLog is not null)
            {
                start.ArgumentList.Add("--debug");
                start.ArgumentList.Add(DebugLog);
            }

            process = Process.Start(start) ?? throw new InvalidOperationException("could not start azurite");
            if (await WaitForPorts(process, [blob, queue, table]))
            {
                ConnectionString = Build(blob, queue, table);
                break;
            }

            string why = process.HasExited ? $"exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}" : "did not listen within 60 s";
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            process = null;
            if (attempt == 3)
            {
                throw new InvalidOperationException($"azurite did not start in three attempts; the last {why}");
            }
        }

        How = $"npm azurite ({azurite})";
    }

    public async Task DisposeAsync()
    {
        if (container is not null)
        {
            await container.DisposeAsync();
        }

        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Azurite may still hold a file for a moment; the temp folder is cleaned by the OS eventually.
        }
    }

    static string Build(int blob, int queue, int table) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    static string FindAzurite()
    {
        string? configured = Environment.GetEnvironmentVariable("AZURITE_PATH");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ".tools", "node_modules", ".bin", "azurite");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Azurite is not installed: run tests/run (it installs azurite@3.37.0 into .tools/), or set AZURITE_PATH, or provide a Docker engine");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True once every port accepts a connection; false when Azurite exits or a minute passes first.</summary>
    static async Task<bool> WaitForPorts(Process azurite, int[] ports)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (int port in ports)
        {
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException)
                {
                    if (azurite.HasExited || DateTime.UtcNow >= deadline)
                    {
                        return false;
                    }

                    await Task.Delay(100);
                }
            }
        }

        return true;
    }
}
