using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Server.Authentication;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>Keys written to a server's file: every one that was added is there, readable by its owner only.</summary>
public sealed class ApiKeyFileTests
{
    [Fact]
    public async Task Keys_added_at_the_same_time_are_all_kept()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("gitops-keys").FullName, "serve.json");
        string[] people = [.. Enumerable.Range(0, 24).Select(i => $"person{i}")];
        using var start = new Barrier(people.Length);
        await Task.WhenAll(people.Select(p => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            ApiKeyFile.Add(file, p, "viewer", []);
        }, TaskCreationOptions.LongRunning)));

        Assert.Equal(people.Order(StringComparer.Ordinal), ServerOptions.ReadKeys(file).Select(k => k.User).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.False(File.ReadAllBytes(file).AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "no byte-order mark");
    }

    [Fact]
    public void Removing_a_person_takes_every_key_they_have_even_one_listed_twice_by_hand_and_leaves_the_others()
    {
        const string Hash = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
        string file = Path.Combine(Directory.CreateTempSubdirectory("gitops-keys").FullName, "serve.json");
        File.WriteAllText(file, $$$"""
            {"GitOps": {"ApiKeys": [
              {"User": "bob", "Role": "viewer", "Sha256": "{{{Hash}}}"},
              {"User": "eve", "Role": "viewer", "Sha256": "{{{Hash}}}"},
              {"User": "bob", "Role": "approver", "Sha256": "{{{Hash}}}"}
            ]}}
            """);

        Assert.True(ApiKeyFile.Remove(file, "bob"));
        Assert.Equal(["eve"], ServerOptions.ReadKeys(file).Select(k => k.User));
        Assert.False(ApiKeyFile.Remove(file, "bob"));
        ApiKeyFile.Add(file, "carol", "operator", []);
        Assert.Equal(["eve", "carol"], ServerOptions.ReadKeys(file).Select(k => k.User));
    }
}
