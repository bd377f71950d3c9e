using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary><c>ssh://</c> remotes through libgit2 and the system's ssh, against a real sshd with a key and known_hosts.</summary>
public sealed class SshRemoteTests : IAsyncLifetime
{
    readonly GitRepository work = new();
    readonly string cache = Directory.CreateTempSubdirectory("gitops-ssh-cache-").FullName;
    SshServer ssh = null!;

    public async Task InitializeAsync()
    {
        ssh = await SshServer.StartAsync();
        work.Commit("app", ("app/cm.yaml", Apps.ConfigMap("a", "1")));
        ssh.Publish("app.git", work);
    }

    public async Task DisposeAsync()
    {
        await ssh.DisposeAsync();
        work.Dispose();
        Directory.Delete(cache, recursive: true);
    }

    GitAuthSpec Auth => new() { SshKeyFile = ssh.ClientKey, KnownHostsFile = ssh.KnownHosts };

    [Fact]
    public async Task A_key_and_known_hosts_resolve_export_and_write_over_ssh()
    {
        var source = new SourceSpec { Repo = ssh.Url("app.git"), Revision = "main", Auth = Auth };
        string sha = GitCheckout.Resolve(source);
        Assert.Equal(work.Head, sha);
        Assert.True(File.Exists(Path.Combine(new GitCheckout(cache).Export(source, sha), "app", "cm.yaml")));

        GitWriteResult written = await GitWriter.WriteAsync(new GitWriteRequest { Repo = ssh.Url("app.git"), Auth = Auth, Message = "over ssh", Changes = [new GitFileChange("env/tag.txt", "1.2.3\n")] });
        Assert.True(written.Changed);
        Assert.Equal(written.Commit, GitCheckout.Resolve(source));
    }

    [Fact]
    public void An_unknown_host_key_is_refused()
    {
        var error = Assert.Throws<GitSourceException>(() => GitCheckout.Resolve(new SourceSpec
        {
            Repo = ssh.Url("app.git"),
            Auth = new GitAuthSpec { SshKeyFile = ssh.ClientKey, KnownHostsFile = ssh.WrongKnownHosts },
        }));
        Assert.StartsWith(ssh.Url("app.git"), error.Message);
    }

    [Fact]
    public void A_key_the_server_does_not_accept_is_refused()
    {
        // A valid key pair that authorized_keys does not list.
        string stranger = Path.Combine(ssh.Folder, "other");
        Assert.Throws<GitSourceException>(() => GitCheckout.Resolve(new SourceSpec
        {
            Repo = ssh.Url("app.git"),
            Auth = new GitAuthSpec { SshKeyFile = stranger, KnownHostsFile = ssh.KnownHosts },
        }));
    }
}
