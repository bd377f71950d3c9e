using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Testing;
using LibGit2Sharp;

namespace GitOps.Orchestrations.Charts.Tests;

/// <summary>
/// The seed's channels: a chart published to bronze is promoted to silver (HTTP) and gold (a chart
/// repository in Git) as the very same bytes; every bad input fails clearly and leaves the next
/// repository exactly as it was.
/// </summary>
public sealed class ChartChannelTests : IAsyncLifetime
{
    readonly HttpClient http = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-charts-").FullName;
    ChartRepositoryServer server = null!;
    string gold = null!;

    public async Task InitializeAsync()
    {
        server = await ChartRepositoryServer.StartAsync();
        gold = BareRepositories.Create(work, "gold.git", ("charts/README.md", "gold channel\n"));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        http.Dispose();
        Directory.Delete(work, recursive: true);
    }

    IChartRepository Http(string name) => ChartRepositoryFactory.Create(new ChartRepositorySpec { Url = server.Repository(name) }, http);

    IChartRepository Gold => ChartRepositoryFactory.Create(new ChartRepositorySpec { Git = new GitChartLocation { Repo = gold, Path = "charts" } }, http);

    byte[] Bronze(string version, string? digest = null, string? chartName = null)
    {
        byte[] archive = ChartArchives.Create("api", version, chartName: chartName);
        server.Publish("bronze", archive, "api", version, digest);
        return archive;
    }

    int GoldCommits()
    {
        using var repo = new Repository(gold);
        return repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = "refs/heads/main" }).Count();
    }

    [Fact]
    public async Task A_chart_moves_bronze_to_silver_to_gold_as_the_same_bytes()
    {
        byte[] archive = Bronze("1.2.3");
        Bronze("1.2.4");
        server.Publish("silver", ChartArchives.Create("web", "0.1.0"), "web", "0.1.0");

        // The channel takes the newest version its constraint accepts.
        HelmIndex bronze = await Http("bronze").ReadIndexAsync(CancellationToken.None);
        Assert.Equal("1.2.4", bronze.Newest("api", VersionConstraint.Parse("1.2.x"))!.Version);

        ChartPublication silver = await new ChartPublisher(Http("bronze"), Http("silver")).PublishAsync("api", "1.2.3");
        Assert.False(silver.AlreadyThere);
        Assert.Equal(archive, server.File("silver/api-1.2.3.tgz"));
        HelmIndex silverIndex = HelmIndex.Parse("silver", server.Text("silver/index.yaml")!);
        Assert.Equal(ChartArchive.Sha256(archive), silverIndex.Find("api", "1.2.3")!.Digest);
        Assert.NotNull(silverIndex.Find("web", "0.1.0"));

        ChartPublication toGold = await new ChartPublisher(Http("silver"), Gold).PublishAsync("api", "1.2.3");
        Assert.Equal(silver.Digest, toGold.Digest);
        using (var repo = new Repository(gold))
        {
            Commit head = repo.Branches["main"].Tip;
            Assert.StartsWith("Publish api 1.2.3", head.Message);
            Assert.Equal(archive, ((Blob)head["charts/api-1.2.3.tgz"].Target).GetContentStream().ReadAllBytes());
            Assert.Contains("api-1.2.3.tgz", ((Blob)head["charts/index.yaml"].Target).GetContentText());
        }

        // Publishing what is already there changes nothing anywhere.
        int commits = GoldCommits();
        int writes = server.Writes.Count;
        Assert.True((await new ChartPublisher(Http("silver"), Gold).PublishAsync("api", "1.2.3")).AlreadyThere);
        Assert.True((await new ChartPublisher(Http("bronze"), Http("silver")).PublishAsync("api", "1.2.3")).AlreadyThere);
        Assert.Equal(commits, GoldCommits());
        Assert.Equal(writes, server.Writes.Count);
    }

    [Fact]
    public async Task A_missing_version_a_digest_mismatch_and_a_lying_archive_publish_nothing()
    {
        Bronze("1.2.3");
        server.Publish("bronze", ChartArchives.Create("api", "1.2.5"), "api", "1.2.5", digest: new string('0', 64));
        server.Publish("bronze", ChartArchives.Create("api", "1.2.6", chartName: "other"), "api", "1.2.6");

        var missing = await Assert.ThrowsAsync<ChartException>(() => new ChartPublisher(Http("bronze"), Http("silver")).PublishAsync("api", "9.9.9"));
        Assert.Equal($"api 9.9.9 is not in {server.Repository("bronze")}/ (it has: 1.2.6, 1.2.5, 1.2.3)", missing.Message);

        var mismatch = await Assert.ThrowsAsync<ChartException>(() => new ChartPublisher(Http("bronze"), Gold).PublishAsync("api", "1.2.5"));
        Assert.StartsWith($"digest mismatch for api 1.2.5 from {server.Repository("bronze")}/: the index says 0000", mismatch.Message);

        var lying = await Assert.ThrowsAsync<ChartException>(() => new ChartPublisher(Http("bronze"), Http("silver")).PublishAsync("api", "1.2.6"));
        Assert.Equal("api-1.2.6.tgz holds other 1.2.6, not api 1.2.6; nothing was published", lying.Message);

        Assert.Null(server.Text("silver/index.yaml"));
        Assert.DoesNotContain(server.Writes, w => w.Contains("silver", StringComparison.Ordinal));
        Assert.Equal(1, GoldCommits());
    }

    [Fact]
    public async Task A_lost_index_race_undoes_the_archive_upload_and_says_so()
    {
        Bronze("1.2.3");
        server.Publish("silver", ChartArchives.Create("api", "1.0.0"), "api", "1.0.0");
        string before = server.Text("silver/index.yaml")!;

        server.LoseNextIndexRace();
        var race = await Assert.ThrowsAsync<ChartException>(() => new ChartPublisher(Http("bronze"), Http("silver")).PublishAsync("api", "1.2.3"));
        Assert.Contains("index.yaml changed while api-1.2.3.tgz was being published (412)", race.Message);
        Assert.Equal(before, server.Text("silver/index.yaml"));
        Assert.Null(server.File("silver/api-1.2.3.tgz"));

        // Trying again succeeds.
        Assert.False((await new ChartPublisher(Http("bronze"), Http("silver")).PublishAsync("api", "1.2.3")).AlreadyThere);
    }

    [Fact]
    public async Task An_unreachable_repository_and_a_malformed_index_are_clear_errors()
    {
        Bronze("1.2.3");
        IChartRepository nowhere = ChartRepositoryFactory.Create(new ChartRepositorySpec { Url = "http://127.0.0.1:1/charts" }, http);
        var unreachable = await Assert.ThrowsAsync<ChartException>(() => new ChartPublisher(Http("bronze"), nowhere).PublishAsync("api", "1.2.3"));
        Assert.StartsWith("cannot reach the chart repository http://127.0.0.1:1/charts/", unreachable.Message);

        server.Put("silver/index.yaml", "apiVersion: v1\nentries:\n  api: {oops: 1}\n"u8.ToArray());
        var malformed = await Assert.ThrowsAsync<ChartException>(() => new ChartPublisher(Http("bronze"), Http("silver")).PublishAsync("api", "1.2.3"));
        Assert.Equal($"malformed index.yaml: {server.Repository("silver")}/index.yaml:3:8: error: entries.api must be a list of chart versions", malformed.Message);
        Assert.Null(server.File("silver/api-1.2.3.tgz"));

        var neither = Assert.Throws<ArgumentException>(() => ChartRepositoryFactory.Create(new ChartRepositorySpec { Url = "ftp://x/charts" }, http));
        Assert.Contains("is not an http(s) chart repository URL", neither.Message);
    }

    [Fact]
    public async Task A_git_publish_regenerates_the_index_from_the_branch_head_keeping_what_others_published()
    {
        Bronze("1.2.3");
        Bronze("1.2.4");
        await new ChartPublisher(Http("bronze"), Gold).PublishAsync("api", "1.2.3");

        // Someone else publishes straight into gold between two of ours: ours builds on their head.
        using (var other = new Repository(Repository.Clone(gold, Path.Combine(work, "other"))))
        {
            string file = Path.Combine(other.Info.WorkingDirectory, "charts", "index.yaml");
            File.WriteAllText(file, HelmIndex.Parse("gold", File.ReadAllText(file)).With(new ChartVersionEntry("db", "5.0.0", new string('a', 64), ["db-5.0.0.tgz"])).Render(DateTimeOffset.UtcNow));
            Commands.Stage(other, "*");
            var someone = new Signature("someone", "someone@example.com", DateTimeOffset.UtcNow);
            other.Commit("db 5.0.0", someone, someone);
            other.Network.Push(other.Network.Remotes["origin"], "refs/heads/main:refs/heads/main");
        }

        await new ChartPublisher(Http("bronze"), Gold).PublishAsync("api", "1.2.4");
        HelmIndex index = await Gold.ReadIndexAsync(CancellationToken.None);
        Assert.NotNull(index.Find("db", "5.0.0"));
        Assert.Equal(["1.2.3", "1.2.4"], index.Versions("api").Select(v => v.Version).Order());
    }
}

static class StreamBytes
{
    public static byte[] ReadAllBytes(this Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>Freight: the newest chart version and Git tag the sources accept, as one named bundle.</summary>
public sealed class FreightDiscoveryTests : IAsyncLifetime
{
    readonly HttpClient http = new();
    readonly GitRepository repo = new();
    ChartRepositoryServer server = null!;

    public async Task InitializeAsync() => server = await ChartRepositoryServer.StartAsync();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        http.Dispose();
        repo.Dispose();
    }

    IReadOnlyList<FreightSource> Sources(string chartVersion = "1.2.x", string? semver = ">=1.0") =>
    [
        new FreightSource { Name = "chart", HelmRepository = new HelmRepositorySource(server.Repository("bronze"), "api", chartVersion) },
        new FreightSource { Name = "image", GitTags = new GitTagsSource(repo.Path, "v*", semver) },
    ];

    [Fact]
    public async Task The_newest_accepted_versions_make_one_freight_and_a_change_makes_another()
    {
        foreach (string version in new[] { "1.2.9", "1.2.10", "1.3.0" })
        {
            server.Publish("bronze", ChartArchives.Create("api", version), "api", version);
        }

        repo.Commit("one", ("a.txt", "1"));
        repo.Tag("v1.9.0");
        string tenth = repo.Commit("two", ("a.txt", "2"));
        repo.Tag("v1.10.0");
        repo.Commit("three", ("a.txt", "3"));
        repo.Tag("release-candidate");

        var discovery = new FreightDiscovery(http);
        (Freight? freight, _) = await discovery.DiscoverAsync(Sources());
        Assert.Equal(["chart 1.2.10", "image v1.10.0"], freight!.Artifacts.Select(a => $"{a.Source} {a.Version}"));
        Assert.Equal(tenth, freight.Artifact("image")!.Pin);
        Assert.Equal(ChartArchive.Sha256(server.File("bronze/api-1.2.10.tgz")!), freight.Artifact("chart")!.Pin);
        Assert.Equal(freight.Id, (await discovery.DiscoverAsync(Sources())).Freight!.Id);

        repo.Commit("four", ("a.txt", "4"));
        repo.Tag("v1.11.0");
        Freight next = (await discovery.DiscoverAsync(Sources())).Freight!;
        Assert.NotEqual(freight.Id, next.Id);
        Assert.Equal("v1.11.0", next.Artifact("image")!.Version);

        (Freight? none, string? missing) = await discovery.DiscoverAsync(Sources(chartVersion: "2.x"));
        Assert.Null(none);
        Assert.Equal("chart", missing);
    }
}
