import { redirect } from "next/navigation";

// The runs list is the home page.
export default function HomePage() {
  redirect("/runs");
}
