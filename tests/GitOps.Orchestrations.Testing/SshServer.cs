using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// OpenSSH's real <c>sshd</c> on a loopback port, accepting one generated client key, serving bare
/// repositories to git over <c>ssh://</c>. It logs in as the user running the tests. tests/run
/// installs the Debian openssh-server package when sshd is missing.
/// </summary>
public sealed class SshServer : IAsyncDisposable
{
    public const string Sshd = "/usr/sbin/sshd";

    readonly Process process;

    SshServer(string folder, int port, Process process)
    {
        Folder = folder;
        Port = port;
        this.process = process;
    }

    public string Folder { get; }

    public int Port { get; }

    public string Root => Path.Combine(Folder, "repos");

    public string ClientKey => Path.Combine(Folder, "client");

    /// <summary>A known_hosts file naming this server's host key.</summary>
    public string KnownHosts => Path.Combine(Folder, "known_hosts");

    /// <summary>A known_hosts file naming some other key for this server, as after a man-in-the-middle.</summary>
    public string WrongKnownHosts => Path.Combine(Folder, "wrong_known_hosts");

    public string Url(string name) => $"ssh://{Environment.UserName}@127.0.0.1:{Port}{Root}/{name}";

    public static async Task<SshServer> StartAsync()
    {
        string folder = Directory.CreateTempSubdirectory("gitops-sshd-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "repos"));
        foreach (string key in new[] { "host", "client", "other" })
        {
            await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", Path.Combine(folder, key));
        }

        int port = Loopback.FreePort();
        File.Copy(Path.Combine(folder, "client.pub"), Path.Combine(folder, "authorized_keys"));
        File.WriteAllText(Path.Combine(folder, "known_hosts"), $"[127.0.0.1]:{port} {HostKey(folder, "host")}\n");
        File.WriteAllText(Path.Combine(folder, "wrong_known_hosts"), $"[127.0.0.1]:{port} {HostKey(folder, "other")}\n");
        File.WriteAllText(Path.Combine(folder, "sshd_config"), $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {folder}/host
            AuthorizedKeysFile {folder}/authorized_keys
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            StrictModes no
            PermitRootLogin prohibit-password
            UsePAM no
            PidFile none
            """);
        if (Environment.UserName == "root")
        {
            // Privilege separation needs this folder when sshd runs as root.
            Directory.CreateDirectory("/run/sshd");
        }

        var start = new ProcessStartInfo(Sshd, ["-D", "-e", "-f", Path.Combine(folder, "sshd_config")]) { RedirectStandardError = true, RedirectStandardOutput = true };
        Process process = Process.Start(start) ?? throw new InvalidOperationException("sshd did not start");
        for (int i = 0; i < 100 && !Loopback.IsListening(port); i++)
        {
            await Task.Delay(50);
        }

        return Loopback.IsListening(port) ? new SshServer(folder, port, process) : throw new InvalidOperationException($"sshd is not listening: {await process.StandardError.ReadToEndAsync()}");
    }

    /// <summary>Publishes <paramref name="source"/>'s current branch as <c>main</c> of a bare repository named <paramref name="name"/>.</summary>
    public string Publish(string name, GitRepository source) => BareRepositories.Publish(Root, name, source);

    static string HostKey(string folder, string name) => string.Join(' ', File.ReadAllText(Path.Combine(folder, name + ".pub")).Split(' ').Take(2));

    static async Task RunAsync(string file, params string[] arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {await process.StandardError.ReadToEndAsync()}");
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
