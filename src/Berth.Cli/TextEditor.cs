using System.Diagnostics;

namespace Berth.Cli;

/// <summary>Runs the user's editor on a temporary YAML file.</summary>
internal static class TextEditor
{
    public static string Edit(string text)
    {
        var editor = Environment.GetEnvironmentVariable("VISUAL");
        if (string.IsNullOrWhiteSpace(editor))
        {
            editor = Environment.GetEnvironmentVariable("EDITOR");
        }

        if (string.IsNullOrWhiteSpace(editor))
        {
            editor = "vi";
        }

        var path = Path.Combine(Path.GetTempPath(), $"berth_editor_{Environment.ProcessId}_{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        try
        {
            var words = editor.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var start = new ProcessStartInfo(words[0]) { UseShellExecute = false };
            foreach (var word in words.Skip(1))
            {
                start.ArgumentList.Add(word);
            }

            start.ArgumentList.Add(path);
            using var process = Process.Start(start) ?? throw new CliException($"Failed to start the editor {editor}");
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new CliException($"The editor {editor} exited with status {process.ExitCode}");
            }

            return File.ReadAllText(path);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CliException($"Failed to start the editor {editor}: {e.Message}", e);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
