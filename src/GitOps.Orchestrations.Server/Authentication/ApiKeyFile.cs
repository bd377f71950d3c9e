using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitOps.Orchestrations.Server.Authentication;

/// <summary>A key just made: shown to its owner once, kept only as its hash.</summary>
public sealed record IssuedKey(string Key, ApiKeyEntry Entry);

/// <summary>
/// Adds and removes API keys in a server's JSON configuration (<c>GitOps:ApiKeys</c>), editing the
/// text in place so that the operator's comments, order and layout stay as they wrote them. Only
/// the hash of a key is written; the key itself exists in the caller's output and nowhere else.
/// </summary>
public static class ApiKeyFile
{
    public static readonly IReadOnlyList<string> Roles = ["viewer", "operator", "approver"];

    /// <summary>A config file larger than this is not one people write by hand: refuse rather than parse it.</summary>
    const int MaxBytes = 1 << 20;

    const int MaxDepth = 32;

    static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>Makes a key for <paramref name="user"/>, adds its hashed entry to <paramref name="path"/> (creating the file), and returns the key.</summary>
    public static IssuedKey Add(string path, string user, string role, IReadOnlyList<string> groups)
    {
        IssuedKey issued = Issue(user, role, groups);
        Append(path, issued.Entry);
        return issued;
    }

    /// <summary>Whether a key could be added to <paramref name="path"/>: the file opens for writing, or its folder takes a new file.</summary>
    public static bool CanWrite(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                using FileStream opened = File.Open(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                return true;
            }

            string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            string probe = Path.Combine(folder, $".gitops-write-{Guid.NewGuid():N}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Makes a key and its entry, writing nothing yet.</summary>
    public static IssuedKey Issue(string user, string role, IReadOnlyList<string> groups)
    {
        Validate(user, role, groups);
        string key = "gok_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        return new IssuedKey(key, new ApiKeyEntry { User = user, Role = role, Groups = groups, Sha256 = Hash(key) });
    }

    /// <summary>Adds a hashed entry to <paramref name="path"/>, creating the file; one key per person.</summary>
    public static void Append(string path, ApiKeyEntry entry)
    {
        using FileStream edit = Lock(path);
        string text = File.Exists(path) ? Read(path) : string.Empty;
        Layout layout = Parse(text, path);
        if (layout.Keys.Any(k => k.User == entry.User))
        {
            throw new InvalidOperationException($"'{entry.User}' already has a key in {path}; remove it first with: gitops keys remove {entry.User} --config {path}");
        }

        string json = JsonSerializer.Serialize(new { entry.User, entry.Role, entry.Groups, entry.Sha256 }, Compact);
        string updated = layout switch
        {
            { Root: null } => $"{{\n  \"GitOps\": {{\n    \"ApiKeys\": [\n      {json}\n    ]\n  }}\n}}\n",
            { Keys.Count: > 0 } => text.Insert(layout.Keys[^1].End, $",\n      {json}"),
            { KeysArray: int array } => text.Insert(array + 1, $"\n      {json}\n    "),
            { GitOps: int gitops } => text.Insert(gitops + 1, $"\n    \"ApiKeys\": [\n      {json}\n    ]" + (layout.GitOpsHasProperties ? "," : "\n  ")),
            _ => text.Insert(layout.Root.Value + 1, $"\n  \"GitOps\": {{\n    \"ApiKeys\": [\n      {json}\n    ]\n  }}" + (layout.RootHasProperties ? "," : "\n")),
        };
        Write(path, updated);
    }

    /// <summary>Removes every key of <paramref name="user"/>; false when there was none.</summary>
    public static bool Remove(string path, string user)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using FileStream edit = Lock(path);
        bool removed = false;

        // A user listed twice (by hand) loses every key.
        while (RemoveOne(path, user))
        {
            removed = true;
        }

        return removed;
    }

    static bool RemoveOne(string path, string user)
    {
        string text = Read(path);
        Layout layout = Parse(text, path);
        int index = layout.Keys.FindIndex(k => k.User == user);
        if (index < 0)
        {
            return false;
        }

        // Take the element with the comma that joined it to its neighbour.
        KeySpan key = layout.Keys[index];
        (int from, int to) = index > 0 ? (layout.Keys[index - 1].End, key.End)
            : layout.Keys.Count > 1 ? (key.Start, layout.Keys[1].Start)
            : (key.Start, key.End);
        Write(path, text.Remove(from, to - from));
        return true;
    }

    /// <summary>The keys' owners, roles and groups as the file lists them (never the hashes).</summary>
    public static IReadOnlyList<ApiKeyEntry> List(string path) =>
        File.Exists(path) ? Parse(Read(path), path).Keys.Select(k => k.Entry).ToList() : [];

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    static void Validate(string user, string role, IReadOnlyList<string> groups)
    {
        if (!Roles.Contains(role))
        {
            throw new ArgumentException($"unknown role '{role}': use {string.Join(", ", Roles)}");
        }

        foreach (string name in groups.Prepend(user))
        {
            // Names reach audit entries, status pages and logs: printable, short, and not made of spaces.
            if (name.Length is 0 or > 100 || name.Any(char.IsControl) || name.Trim().Length != name.Length)
            {
                throw new ArgumentException($"'{name}' is not a name: 1 to 100 printable characters, without leading or trailing spaces");
            }
        }
    }

    static string Read(string path)
    {
        if (new FileInfo(path).Length > MaxBytes)
        {
            throw new InvalidDataException($"{path} is larger than {MaxBytes / 1024} KiB; not a configuration file");
        }

        return File.ReadAllText(path);
    }

    /// <summary>Writes through a temporary file so that a crash leaves the old file or the new one, and only its owner may read it.</summary>
    /// <summary>
    /// Holds <c>FILE.lock</c> exclusively while a read-modify-write of the file runs, so two
    /// <c>gitops keys add</c> at once both land instead of the second overwriting the first.
    /// </summary>
    static FileStream Lock(string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        DateTime giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                // Left in place afterwards: deleting it on close would let two editors lock two different files.
                return new FileStream(full + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < giveUp)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Written whole to a temporary file of its own, readable by its owner only from the start, then moved over the old one.</summary>
    static void Write(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string temporary = $"{full}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
        {
            writer.Write(text);
        }

        File.Move(temporary, full, overwrite: true);
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    sealed record KeySpan(int Start, int End, ApiKeyEntry Entry)
    {
        public string User => Entry.User;
    }

    sealed record Layout
    {
        public int? Root { get; set; }

        public bool RootHasProperties { get; set; }

        public int? GitOps { get; set; }

        public bool GitOpsHasProperties { get; set; }

        public int? KeysArray { get; set; }

        public List<KeySpan> Keys { get; } = [];
    }

    /// <summary>Where the root object, the GitOps section, the ApiKeys array and each key sit in the text (character offsets).</summary>
    static Layout Parse(string text, string path)
    {
        var layout = new Layout();
        if (text.Trim().Length == 0)
        {
            return layout;
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxDepth });
        int Offset(long bytes) => Encoding.UTF8.GetCharCount(utf8, 0, (int)bytes);
        try
        {
            string? property = null;
            bool inGitOps = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        if (reader.CurrentDepth == 1)
                        {
                            layout.RootHasProperties = true;
                        }
                        else if (reader.CurrentDepth == 2 && inGitOps)
                        {
                            layout.GitOpsHasProperties = true;
                        }

                        break;
                    case JsonTokenType.StartObject when reader.CurrentDepth == 0:
                        layout.Root = Offset(reader.TokenStartIndex);
                        break;
                    case JsonTokenType.StartObject when reader.CurrentDepth == 1 && string.Equals(property, "GitOps", StringComparison.OrdinalIgnoreCase):
                        layout.GitOps = Offset(reader.TokenStartIndex);
                        inGitOps = true;
                        break;
                    case JsonTokenType.EndObject when reader.CurrentDepth == 1:
                        inGitOps = false;
                        break;
                    case JsonTokenType.StartArray when reader.CurrentDepth == 2 && string.Equals(property, "ApiKeys", StringComparison.OrdinalIgnoreCase) && inGitOps:
                        layout.KeysArray = Offset(reader.TokenStartIndex);
                        ReadKeys(ref reader, utf8, layout, Offset);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{e.LineNumber + 1}:{e.BytePositionInLine + 1}: not JSON the server can read: {e.Message.Split(" LineNumber", 2)[0]}");
        }

        if (text.Trim().Length > 0 && layout.Root is null)
        {
            throw new InvalidDataException($"{path}: the configuration is a JSON object");
        }

        return layout;
    }

    static void ReadKeys(ref Utf8JsonReader reader, byte[] utf8, Layout layout, Func<long, int> offset)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            int start = offset(reader.TokenStartIndex);
            long startBytes = reader.TokenStartIndex;
            reader.Skip();
            int end = offset(reader.BytesConsumed);
            using var element = JsonDocument.Parse(utf8.AsMemory((int)startBytes, (int)(reader.BytesConsumed - startBytes)), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            JsonElement root = element.RootElement;
            string user = root.TryGetProperty("User", out JsonElement u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : string.Empty;
            string role = root.TryGetProperty("Role", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "viewer";
            List<string> groups = root.TryGetProperty("Groups", out JsonElement g) && g.ValueKind == JsonValueKind.Array
                ? g.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : [];
            layout.Keys.Add(new KeySpan(start, end, new ApiKeyEntry { User = user, Role = role, Groups = groups, Sha256 = string.Empty }));
        }
    }
}
